package demo

import (
	"context"
	"fmt"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/detainees"
	"parley/internal/talks"
)

// SeedDetainees names the ICRC the neutral agency of the demo process's
// detainee track, as the lead mediator. The lists, matching and exchanges
// are left to the people trying the demo (and to the browser test, which
// plays them through).
func SeedDetainees(ctx context.Context, ts *talks.Service, as *auth.Service, ds *detainees.Service) error {
	med, err := as.UserByUsername(ctx, access.System, "mediator")
	if err != nil {
		return fmt.Errorf("demo detainees: %w", err)
	}
	ps, err := ts.Processes(ctx, access.System)
	if err != nil || len(ps) != 1 {
		return fmt.Errorf("demo detainees: the demo process: %v", err)
	}
	orgs, err := ts.Orgs(ctx, access.System)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if o.ShortName == "ICRC" {
			_, err := ds.SetAgency(ctx, med.Actor(), ps[0].ID, o.ID)
			return err
		}
	}
	return fmt.Errorf("demo detainees: no ICRC")
}
