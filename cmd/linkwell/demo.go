package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/organisation"
)

// runDemo generates a dataset for performance measurement on top of the demo network:
// `linkwell demo --scale national` is DESIGN §6's 1,000,000 people and 1,500,000 referrals.
func runDemo(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("demo")
	dsn := config.DBFlag(fs, e.getenv)
	scale := fs.String("scale", "", "national (1,000,000 people), or leave empty and give --people")
	people := fs.Int("people", 0, "how many people to generate (referrals are half as many again)")
	services := fs.Int("directory", 0, "generate this many directory services instead (150000 is national) and import them")
	out := fs.String("out", "", "with --directory: write the services as ORUK list pages in this folder instead of importing them")
	if err := config.Parse(fs, args, e.stdout); err != nil {
		return err
	}
	if *services > 0 {
		return runDemoDirectory(ctx, e, *dsn, *services, *out)
	}
	sc := demo.NationalScale
	switch {
	case *scale == "national" && *people == 0:
	case *scale == "" && *people > 0:
		sc.People = *people
		sc.PCNs = max(1, *people/2500)
	default:
		return errors.New("give --scale national, or --people N")
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := demo.LoadIfEmpty(ctx, account.NewService(db), organisation.NewService(db)); err != nil {
		return err
	}
	return demo.Generate(ctx, db, sc, func(line string) { fmt.Fprintln(e.stdout, line) })
}
