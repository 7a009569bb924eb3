//! The metadata store: one repository API over SQLite and PostgreSQL, with migrations.
