package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/store"
)

func runBackup(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("backup")
	dsn := config.DBFlag(fs, e.getenv)
	to := fs.String("to", "", "the file to write (must not exist)")
	if err := config.Parse(fs, args, e.stdout); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("give --to FILE")
	}
	if store.IsPostgresURL(*dsn) {
		return store.ErrUsePgDump
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *to); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up to %s\n", *to)
	return nil
}

func runRestore(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("restore")
	dsn := config.DBFlag(fs, e.getenv)
	from := fs.String("from", "", "the backup file to restore")
	if err := config.Parse(fs, args, e.stdout); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("give --from FILE")
	}
	if err := store.Restore(ctx, *from, *dsn); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s into %s\n", *from, *dsn)
	return nil
}
