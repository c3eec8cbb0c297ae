package app

import (
	"context"
	"fmt"
	"time"

	"parley/internal/auth"
	"parley/internal/bargain"
	"parley/internal/ceasefire"
	"parley/internal/channel"
	"parley/internal/detainees"
	"parley/internal/humanitarian"
	"parley/internal/ledger"
	"parley/internal/talks"
	"parley/internal/text"
)

// guardLedger checks the ledger's tail against the latest signed checkpoint
// at start (docs/ledger.md "Never backwards"). A damaged ledger, or one
// halted before, puts the server in read-only mode: it serves what can be
// read, says so on every page, and refuses every write until an operator
// runs "parley ledger resume". A check that cannot run (the database
// unreachable) is logged and left to the signer's next round.
func (a *App) guardLedger(ctx context.Context) {
	h, err := a.Ledger.Guard(ctx)
	if err != nil {
		a.Log.Warn("ledger: check at start could not run", "err", err)
		return
	}
	if h != nil {
		a.Log.Error("ledger: serving READ-ONLY: the record is damaged; run parley verify, then parley ledger resume once repaired",
			"reason", h.Reason, "since", h.At.Format(time.RFC3339), "halt", h.ID)
		return
	}
	a.Log.Info("ledger: tail checked against the latest signed checkpoint")
}

// verifyInBackground runs the full verify (--verify-on-start) beside the
// serving server, and halts the ledger when it finds the record damaged.
func (a *App) verifyInBackground(ctx context.Context) {
	start := time.Now()
	kinds, err := ItemKinds(a.Config.DataDir, a.master)
	if err != nil {
		a.Log.Warn("ledger: verify at start could not run", "err", err)
		return
	}
	rep, err := ledger.Verify(ctx, a.DB, a.Ledger.VerifierKey(), kinds...)
	if err != nil {
		if ctx.Err() == nil {
			a.Log.Warn("ledger: verify at start could not run", "err", err)
		}
		return
	}
	if rep.OK() {
		a.Log.Info("ledger: verify at start: intact", "events", rep.Events, "took", time.Since(start).Round(time.Millisecond).String())
		return
	}
	reason := fmt.Sprintf("parley verify at start: first bad event %d: %s", rep.FirstBad, rep.Problems[0])
	if rep.FirstBadItem != "" {
		reason += "; first bad item " + rep.FirstBadItem
	}
	if _, err := a.Ledger.Halt(ctx, reason); err != nil {
		a.Log.Error("ledger: record halt", "err", err)
	}
}

// ItemKinds gathers the content items every domain describes for parley
// verify (ledger.ItemKind): their audiences are checked against the events,
// and with the master key (master not nil) their content too. A new domain
// adds its kinds here, one line (docs/ledger.md §7, "The state").
func ItemKinds(dataDir string, master []byte) ([]ledger.ItemKind, error) {
	var kinds []ledger.ItemKind
	for _, k := range []func() ([]ledger.ItemKind, error){
		func() ([]ledger.ItemKind, error) { return talks.ItemKinds(master != nil), nil },
		func() ([]ledger.ItemKind, error) { return channel.ItemKinds(master, channel.AttachmentDir(dataDir)) },
		func() ([]ledger.ItemKind, error) { return text.ItemKinds(), nil },
		func() ([]ledger.ItemKind, error) { return bargain.ItemKinds(master != nil), nil },
		func() ([]ledger.ItemKind, error) { return ceasefire.ItemKinds(master, dataDir) },
		func() ([]ledger.ItemKind, error) { return detainees.ItemKinds(sealKey(master, detainees.SealLabel)) },
		func() ([]ledger.ItemKind, error) { return humanitarian.ItemKinds(master != nil), nil },
	} {
		ks, err := k()
		if err != nil {
			return nil, err
		}
		kinds = append(kinds, ks...)
	}
	return kinds, nil
}

// sealKey is the key derived from master under label, or nil without a
// master key.
func sealKey(master []byte, label string) []byte {
	if master == nil {
		return nil
	}
	return channel.DeriveKey(master, label)
}

// recordDamage records an item found damaged while reading as a security
// event: its content did not open, which is tampering or a lost key.
func (a *App) recordDamage(ctx context.Context, d channel.Damage) {
	a.Auth.RecordSecurityEvent(ctx, auth.SecurityEvent{Kind: "damaged_item",
		Detail: fmt.Sprintf("%s %s (ledger event %d) does not open: %v", d.Kind, d.ID, d.LedgerIndex, d.Err)})
}
