-- PostgreSQL only: how its trigger functions plan their statements. SQLite compiles a
-- trigger with the statement that fires it, and its writer keeps those (store.DB.writeStmts).
SELECT 1;
