package store

// DayOf is an expression giving a timestamp's UTC day written YYYY-MM-DD, the form dates of
// birth are kept in, so that the two can be compared as text.
func (d Dialect) DayOf(col string) string {
	if d == Postgres {
		return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "substr(" + col + ", 1, 10)"
}

// AgeAt is an expression giving the age in whole years, on a timestamp's day, of someone born
// on a date written YYYY-MM-DD; −1 when the date of birth is not written that way.
func (d Dialect) AgeAt(dob, at string) string {
	day := d.DayOf(at)
	return "(CASE WHEN length(" + dob + ") = 10 THEN CAST(substr(" + day + ", 1, 4) AS INTEGER) - CAST(substr(" + dob + ", 1, 4) AS INTEGER)" +
		" - CASE WHEN substr(" + day + ", 6, 5) < substr(" + dob + ", 6, 5) THEN 1 ELSE 0 END ELSE -1 END)"
}

// OutwardOf is an expression giving the outward code (the district, such as "LS6") of a
// postcode kept in its printed form, whose inward code is always a space and three characters;
// empty for an empty postcode.
func (d Dialect) OutwardOf(col string) string {
	return "(CASE WHEN length(" + col + ") > 4 THEN substr(" + col + ", 1, length(" + col + ") - 4) ELSE '' END)"
}
