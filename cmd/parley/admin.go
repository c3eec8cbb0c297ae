package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"parley/internal/access"
	"parley/internal/app"
	"parley/internal/auth"
	"parley/internal/demo"
	"parley/internal/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "version", stderr)
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && v == "dev" {
				v = "dev-" + s.Value[:min(12, len(s.Value))]
			}
		}
		fmt.Fprintf(stdout, "parley %s (%s)\n", v, bi.GoVersion)
		return 0
	}
	fmt.Fprintf(stdout, "parley %s\n", v)
	return 0
}

// openApp opens the database of a data folder for an operator command.
func openApp(ctx context.Context, sf storeFlags, stderr io.Writer) (*app.App, bool) {
	a, err := app.New(ctx, sf.config(), newLogger(stderr))
	if err != nil {
		fmt.Fprintf(stderr, "parley: %v\n", err)
		return nil, false
	}
	return a, true
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("migrate", "migrate [--data-dir DIR] [--db DSN]", stderr)
	var sf storeFlags
	sf.register(fs)
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	db, err := store.Open(ctx, sf.db, sf.dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		return 1
	}
	defer db.Close()
	v, err := db.Version(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s schema at version %d\n", db.Dialect, v)
	return 0
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("backup", "backup --out FILE [--data-dir DIR] [--db DSN]", stderr)
	var sf storeFlags
	sf.register(fs)
	out := fs.String("out", "", "file to write the snapshot to (must not exist)")
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	if *out == "" {
		fmt.Fprintln(stderr, "backup: --out FILE is required")
		fs.Usage()
		return 2
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(stderr, "backup: %s exists; choose a new file\n", *out)
		return 1
	}
	db, err := store.Open(ctx, sf.db, sf.dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "backup: %v\n", err)
		return 1
	}
	defer db.Close()
	if err := db.Backup(ctx, *out); err != nil {
		fmt.Fprintf(stderr, "backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "snapshot written to %s\n", *out)
	if db.Dialect == store.Postgres {
		fmt.Fprintf(stdout, "restore it with pg_restore (docs/operations.md, \"Restoring\")\n")
	}
	return 0
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "user add|passwd|disable|list [flags]"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		w := stderr
		if len(args) > 0 {
			w = stdout
		}
		fmt.Fprintf(w, "usage: parley %s\n\n  add USERNAME --org ORG --role ROLE   create an account (password from --password-stdin, else generated)\n  passwd USERNAME                      set a new password (from --password-stdin, else generated)\n  disable USERNAME                     disable an account and end its sessions\n  list                                 list accounts\n", synopsis)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, args := args[0], args[1:]
	fs := newFlags("user "+sub, "user "+sub+" [flags]", stderr)
	var sf storeFlags
	sf.register(fs)
	var org, role, display string
	var pwStdin bool
	switch sub {
	case "add":
		fs.StringVar(&org, "org", "", "organisation name or id (required)")
		fs.StringVar(&role, "role", "member", "role: head, member, spokesperson, adviser, clerk")
		fs.StringVar(&display, "name", "", "display name")
		fallthrough
	case "passwd":
		fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input")
	case "disable", "list":
	default:
		fmt.Fprintf(stderr, "user: unknown subcommand %q\n", sub)
		return 2
	}
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	want := 1
	if sub == "list" {
		want = 0
	}
	if fs.NArg() != want {
		fs.Usage()
		return 2
	}
	a, ok := openApp(ctx, sf, stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	password := func() (string, bool, error) {
		if !pwStdin {
			return demo.GeneratePassword(), true, nil
		}
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", false, fmt.Errorf("reading the password from standard input: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "user %s: %v\n", sub, err)
		return 1
	}
	switch sub {
	case "list":
		users, err := a.Auth.ListUsers(ctx, access.System)
		if err != nil {
			return fail(err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tORGANISATION\tKIND\tROLE\tSECOND FACTOR\tSTATE")
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			tf := "no"
			if u.TOTPEnabled {
				tf = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.OrgName, u.OrgKind, u.Role, tf, state)
		}
		tw.Flush()
		return 0
	case "add":
		orgID, err := findOrg(ctx, a, org)
		if err != nil {
			return fail(err)
		}
		pw, generated, err := password()
		if err != nil {
			return fail(err)
		}
		u, err := a.Auth.AddUser(ctx, access.System, auth.NewUser{Username: fs.Arg(0), DisplayName: display, OrgID: orgID, Role: access.Role(role), Password: pw})
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "added %s (%s, %s)\n", u.Username, u.OrgName, u.Role)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", pw)
		}
		return 0
	}
	u, err := a.Auth.UserByUsername(ctx, access.System, fs.Arg(0))
	if err != nil {
		return fail(err)
	}
	switch sub {
	case "passwd":
		pw, generated, err := password()
		if err != nil {
			return fail(err)
		}
		if err := a.Auth.SetPassword(ctx, access.System, u.ID, pw); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "password of %s changed; its sessions have ended\n", u.Username)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", pw)
		}
	case "disable":
		if err := a.Auth.Disable(ctx, access.System, u.ID); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%s disabled; its sessions have ended\n", u.Username)
	}
	return 0
}

// findOrg resolves an organisation by id, name or short name.
func findOrg(ctx context.Context, a *app.App, nameOrID string) (string, error) {
	if nameOrID == "" {
		return "", fmt.Errorf("--org is required")
	}
	orgs, err := a.Talks.Orgs(ctx, access.System)
	if err != nil {
		return "", err
	}
	for _, o := range orgs {
		if o.ID == nameOrID || strings.EqualFold(o.Name, nameOrID) || strings.EqualFold(o.ShortName, nameOrID) {
			return o.ID, nil
		}
	}
	return "", fmt.Errorf("no organisation %q (see 'parley org list')", nameOrID)
}

func runOrg(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "org add|list|policy [flags]"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		w := stderr
		if len(args) > 0 {
			w = stdout
		}
		fmt.Fprintf(w, "usage: parley %s\n\n  add NAME --kind KIND [--short NAME]   create an organisation\n  list                                  list organisations\n  policy --kind KIND --require-totp=true|false\n                                        require a second factor of every member of that kind\n", synopsis)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, args := args[0], args[1:]
	fs := newFlags("org "+sub, "org "+sub+" [flags]", stderr)
	var sf storeFlags
	sf.register(fs)
	var kind, short string
	var requireTOTP bool
	switch sub {
	case "add":
		fs.StringVar(&kind, "kind", "", "host, mediation, party, guarantor, observer, monitor or agency (required)")
		fs.StringVar(&short, "short", "", "short name")
	case "policy":
		fs.StringVar(&kind, "kind", "", "the organisation kind the policy applies to (required)")
		fs.BoolVar(&requireTOTP, "require-totp", false, "members of this kind must enrol a second factor")
	case "list":
	default:
		fmt.Fprintf(stderr, "org: unknown subcommand %q\n", sub)
		return 2
	}
	if code := parse(fs, args, stdout); code >= 0 {
		return code
	}
	want := 1
	if sub == "list" || sub == "policy" {
		want = 0
	}
	if fs.NArg() != want {
		fs.Usage()
		return 2
	}
	if sub == "policy" && !access.OrgKind(kind).Valid() {
		fmt.Fprintln(stderr, "org policy: --kind must be host, mediation, party, guarantor, observer, monitor or agency")
		return 2
	}
	a, ok := openApp(ctx, sf, stderr)
	if !ok {
		return 1
	}
	defer a.Close()
	if sub == "policy" {
		if err := a.Auth.SetTOTPRequired(ctx, access.System, access.OrgKind(kind), requireTOTP); err != nil {
			fmt.Fprintf(stderr, "org policy: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "second factor required of %s members: %v\n", kind, requireTOTP)
		return 0
	}
	if sub == "add" {
		o, err := a.Talks.AddOrg(ctx, access.System, fs.Arg(0), short, access.OrgKind(kind))
		if err != nil {
			fmt.Fprintf(stderr, "org add: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "added %s (%s) id %s\n", o.Name, o.Kind, o.ID)
		return 0
	}
	orgs, err := a.Talks.Orgs(ctx, access.System)
	if err != nil {
		fmt.Fprintf(stderr, "org list: %v\n", err)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tNAME")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", o.ID, o.Kind, o.Name)
	}
	tw.Flush()
	return 0
}
