// Package geniusweb holds an example negotiation domain and two parties'
// profiles in GeniusWeb's JSON, for `parley bargain analyze` and the demo
// round (see README.md beside it).
package geniusweb

import _ "embed"

// Domain is the example domain: three issues of the Astana ceasefire.
//
//go:embed domain.json
var Domain []byte

// Government and Opposition are the two parties' profiles over Domain.
var (
	//go:embed government.json
	Government []byte
	//go:embed opposition.json
	Opposition []byte
)
