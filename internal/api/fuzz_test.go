package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"parley/internal/errs"
)

// Each request type has its own fuzz target, so that CI can give each a few
// seconds (go test -fuzz accepts one target per run). They drive the same
// decode path as the handlers, body cap included, and check that whatever
// the bytes, the answer is a success or an *errs.Error with a code that maps
// to a 4xx status: never a panic, never an internal error.

func fuzzDecode[T any, P interface {
	*T
	request
}](f *testing.F, seeds ...string) {
	f.Helper()
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, s := range commonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/x", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		var v T
		err := decode(w, r, P(&v), 4096)
		if err == nil {
			// What was accepted must pass validation again: Validate is a
			// pure check of the decoded value.
			if err := P(&v).Validate(); err != nil {
				t.Fatalf("accepted %q but a second Validate fails: %v", body, err)
			}
			return
		}
		e, ok := errs.As(err)
		if !ok {
			t.Fatalf("decode(%q) returned a non-API error %T: %v", body, err, err)
		}
		if s := errs.Status(e.Code); s < 400 || s > 499 {
			t.Fatalf("decode(%q) = %v, status %d; want a 4xx", body, err, s)
		}
		if e.Code == errs.Invalid && e.Field == "" {
			t.Fatalf("decode(%q) = %v: an invalid error must name its field", body, err)
		}
	})
}

// commonSeeds are shapes every target should survive: empty, wrong JSON
// kinds, trailing data, deep nesting, invalid UTF-8, a body over the cap.
var commonSeeds = []string{
	"", "null", "{}", "[]", "1", `"x"`, "{", "{}{}", "{} x", `{"unknown":1}`,
	`{"a":` + string(bytes.Repeat([]byte("["), 200)), "{\"name\":\"\xff\xfe\"}",
	`{"name":"` + string(bytes.Repeat([]byte("a"), 5000)) + `"}`,
}

func FuzzLoginRequest(f *testing.F) {
	fuzzDecode[LoginRequest](f,
		`{"username":"opp.head","password":"correct horse battery"}`,
		`{"username":"opp.head","password":"correct horse battery","otp":"123456"}`,
		`{"username":"","password":""}`, `{"username":1}`)
}

func FuzzProcessRequest(f *testing.F) {
	fuzzDecode[ProcessRequest](f, `{"name":"Astana process"}`, `{"name":"  "}`, `{"name":"a\u0000b"}`)
}

func FuzzRoundRequest(f *testing.F) {
	fuzzDecode[RoundRequest](f,
		`{"process_id":"0123456789abcdef0123456789abcdef","name":"Astana, round 2","location":"Astana","starts_on":"2017-02-15","ends_on":"2017-02-16","participants":["0123456789abcdef0123456789abcdef"]}`,
		`{"process_id":"x","name":"r"}`, `{"process_id":"0123456789abcdef0123456789abcdef","name":"r","starts_on":"2017-02-31"}`,
		`{"process_id":"0123456789abcdef0123456789abcdef","name":"r","starts_on":"2017-02-15","ends_on":"2017-02-14"}`)
}

func FuzzParticipantRequest(f *testing.F) {
	fuzzDecode[ParticipantRequest](f, `{"org":"0123456789abcdef0123456789abcdef"}`, `{"org":"../etc"}`)
}

func FuzzSessionRequest(f *testing.F) {
	fuzzDecode[SessionRequest](f,
		`{"title":"Opening plenary","format":"plenary","starts_at":"2017-01-23T10:00:00Z"}`,
		`{"title":"Direct","format":"direct","starts_at":"2017-01-23T10:00:00+06:00","ends_at":"2017-01-23T12:00:00+06:00","orgs":["0123456789abcdef0123456789abcdef","fedcba9876543210fedcba9876543210"]}`,
		`{"title":"t","format":"tea","starts_at":"now"}`,
		`{"title":"t","format":"plenary","starts_at":"2017-01-23T10:00:00Z","ends_at":"2017-01-22T10:00:00Z"}`)
}

func FuzzAgendaRequest(f *testing.F) {
	fuzzDecode[AgendaRequest](f,
		`{"track":"humanitarian","title":"Aid to besieged areas","description":"Convoys\nand access"}`,
		`{"track":"","title":"x"}`)
}

func FuzzStanceRequest(f *testing.F) {
	fuzzDecode[StanceRequest](f, `{"stance":"refuse","reason":"Not before the ceasefire holds"}`,
		`{"stance":"accept"}`, `{"stance":"maybe"}`, `{"stance":true}`)
}

func FuzzConsentRequest(f *testing.F) {
	fuzzDecode[ConsentRequest](f, `{"counterpart":"0123456789abcdef0123456789abcdef","direct":true}`,
		`{"counterpart":"0123456789abcdef0123456789abcdef"}`, `{"counterpart":"0123456789abcdef0123456789abcdef","direct":"yes"}`,
		`{"counterpart":"0123456789abcdef0123456789abcdef","direct":null}`)
}

func FuzzOrgRequest(f *testing.F) {
	fuzzDecode[OrgRequest](f, `{"name":"ICRC","short_name":"ICRC","kind":"agency"}`, `{"name":"x","kind":"church"}`)
}

func FuzzUserRequest(f *testing.F) {
	fuzzDecode[UserRequest](f,
		`{"username":"opp.adviser","display_name":"Adviser","org":"0123456789abcdef0123456789abcdef","role":"adviser","password":"a long enough pass","locale":"ar"}`,
		`{"username":"a b","org":"0123456789abcdef0123456789abcdef","role":"head","password":"short"}`,
		`{"username":"x","org":"0123456789abcdef0123456789abcdef","role":"king","password":"a long enough pass"}`)
}

func FuzzPasswordRequest(f *testing.F) {
	fuzzDecode[PasswordRequest](f, `{"current":"correct horse battery","new":"another long passphrase"}`, `{"current":"","new":"x"}`)
}

func FuzzLocaleRequest(f *testing.F) {
	fuzzDecode[LocaleRequest](f, `{"locale":"tr"}`, `{"locale":"xx"}`)
}

func FuzzSecondFactorPolicyRequest(f *testing.F) {
	fuzzDecode[SecondFactorPolicyRequest](f, `{"kind":"party","required":true}`, `{"kind":"nobody"}`)
}

func FuzzTOTPConfirmRequest(f *testing.F) {
	fuzzDecode[TOTPConfirmRequest](f, `{"secret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","code":"123456"}`, `{"secret":"","code":""}`)
}

func FuzzTOTPDisableRequest(f *testing.F) {
	fuzzDecode[TOTPDisableRequest](f, `{"password":"correct horse battery"}`, `{"password":""}`)
}

func FuzzWitnessRequest(f *testing.F) {
	fuzzDecode[WitnessRequest](f, `{"name":"opposition witness","vkey":"witness.example+01234567+BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, `{"name":"","vkey":""}`)
}

func FuzzCosignatureRequest(f *testing.F) {
	fuzzDecode[CosignatureRequest](f, `{"checkpoint":"parley.example/x\n3\nAAAA\n","cosignature":"— w AAAA\n"}`, `{"checkpoint":"","cosignature":""}`)
}

func FuzzMessageRequest(f *testing.F) {
	fuzzDecode[MessageRequest](f, `{"to":["mediation"],"body":"A proposal."}`, `{"to":[],"body":""}`, `{"reply_to":"x"}`)
}

func FuzzRelayRequest(f *testing.F) {
	fuzzDecode[RelayRequest](f, `{"to":["0123"],"body":"","attributed":true,"show_origin":false}`, `{"to":[]}`)
}

func FuzzShareRequest(f *testing.F) {
	fuzzDecode[ShareRequest](f, `{"with":["0123"]}`, `{"with":[]}`, `{"with":null}`)
}

func FuzzStatementRequest(f *testing.F) {
	fuzzDecode[StatementRequest](f, `{"title":"T","body":"B","embargo_until":"2030-01-01T00:00:00Z"}`, `{"embargo_until":"soon"}`)
}
