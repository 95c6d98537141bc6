// Package migrations embeds Linkwell's forward-only schema migrations, one folder per dialect.
// Each file is NNNN_name.sql and is applied in one transaction.
package migrations

import "embed"

//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
