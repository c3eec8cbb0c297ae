package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"parley/internal/ceasefire"
	"parley/internal/channel"
	"parley/internal/ledger"
	"parley/internal/store"
)

// openCeasefire builds the ceasefire service; its evidence files are
// sealed under the master key in the data folder's "evidence" folder.
func openCeasefire(db *store.DB, led *ledger.Ledger, dataDir string, master []byte) (*ceasefire.Service, error) {
	if dataDir == "" {
		return nil, fmt.Errorf("ceasefire: evidence needs a data folder")
	}
	files, err := channel.NewFileStore(master, filepath.Join(dataDir, "evidence"))
	if err != nil {
		return nil, fmt.Errorf("ceasefire: %w", err)
	}
	cf := ceasefire.New(db, led, files)
	// An earlier version kept the narratives in clear: seal them now.
	if _, err := cf.SealNarratives(context.Background()); err != nil {
		return nil, err
	}
	return cf, nil
}

// ceasefireUploads match the ceasefire's evidence uploads (the API's, the
// incident page's and the report form's photo) and CSV imports.
var (
	ceasefireEvidence = regexp.MustCompile(`^((/api/v1)?/ceasefire/reports/[^/]+/evidence|/processes/[^/]+/ceasefire/reports)$`)
	ceasefireImport   = regexp.MustCompile(`^(/api/v1)?/processes/[^/]+/ceasefire/reports/import$`)
)

// ceasefireBodyLimit is the body limit of a ceasefire upload, or 0 for
// other requests: an evidence file may be up to ceasefire.MaxEvidence, an
// import up to ceasefire.MaxImport; the service checks each exactly.
func ceasefireBodyLimit(r *http.Request) int64 {
	if r.Method != http.MethodPost {
		return 0
	}
	switch {
	case ceasefireEvidence.MatchString(r.URL.Path):
		return ceasefire.MaxEvidence + 1<<20
	case ceasefireImport.MatchString(r.URL.Path):
		return ceasefire.MaxImport
	}
	return 0
}

// withMapTiles lets the pages load images from the origin of the map's
// base-tile URL, when one is configured; without one, the policy is
// unchanged and the map draws on a plain background.
func withMapTiles(csp, tiles string) string {
	u, err := url.Parse(strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0").Replace(tiles))
	if tiles == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return csp
	}
	origin := u.Scheme + "://" + u.Host
	if strings.Contains(tiles, "{s}.") {
		origin = u.Scheme + "://*." + strings.SplitN(u.Host, ".", 2)[1]
	}
	return strings.Replace(csp, "img-src 'self'", "img-src 'self' "+origin, 1)
}
