package store

// IndexedBy returns the clause that makes SQLite read a table through the named index, for a
// query where its planner, which keeps no statistics here, would choose worse (a row lookup
// where a covering index answers); PostgreSQL plans for itself, so there it is empty. It
// follows the table name and alias: "FROM cases k " + c.IndexedBy("cases_open_figures").
func (c Conn) IndexedBy(index string) string {
	if c.dialect == SQLite {
		return "INDEXED BY " + index
	}
	return ""
}
