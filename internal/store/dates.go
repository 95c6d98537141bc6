package store

// SQL for dates that the two dialects write differently. SQLite keeps timestamps as text in
// the form "2006-01-02 15:04:05.999999999+00:00"; PostgreSQL as timestamptz.

// MonthOf is an expression giving the "YYYY-MM" (UTC) of a timestamp column.
func (d Dialect) MonthOf(col string) string {
	if d == Postgres {
		return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM')"
	}
	return "substr(" + col + ", 1, 7)"
}

// DaysBetween is an expression giving the days, with fractions, from one timestamp to another.
func (d Dialect) DaysBetween(from, to string) string {
	if d == Postgres {
		return "(EXTRACT(EPOCH FROM (" + to + ") - (" + from + ")) / 86400.0)"
	}
	return "(julianday(" + to + ") - julianday(" + from + "))"
}

// WholeDaysBetween is an expression giving the whole days from one timestamp to a later one,
// rounded down, so that the database can count them in groups.
func (d Dialect) WholeDaysBetween(from, to string) string {
	if d == Postgres {
		return "CAST(FLOOR(" + d.DaysBetween(from, to) + ") AS BIGINT)"
	}
	return "CAST(" + d.DaysBetween(from, to) + " AS INTEGER)"
}
