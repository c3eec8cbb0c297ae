package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"parley/internal/errs"
)

// MaxBody is the default cap on a request body. The app caps bodies too; the
// API caps again so that it is safe however it is mounted.
const MaxBody = 1 << 20

// UnsupportedMediaType is the code for a body that is not JSON.
const UnsupportedMediaType = "unsupported_media_type"

func init() {
	errs.Register(UnsupportedMediaType, http.StatusUnsupportedMediaType)
}

// request is a decoded request body. Validate checks lengths, required fields
// and enumerations, and returns an errs.Field error naming the first bad one.
type request interface {
	Validate() error
}

// decode reads the JSON body of r into v and validates it. It is the one
// decoder of the API: JSON content type, capped body, unknown fields and
// trailing data refused, then v.Validate.
func decode(w http.ResponseWriter, r *http.Request, v request, limit int64) error {
	// A body without a Content-Type is read as JSON (simple clients omit
	// it); one that declares another type is refused, so that a form post
	// can never be taken for an API call.
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
			return errs.New(UnsupportedMediaType, "the request body must be JSON (Content-Type: application/json)")
		}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	defer body.Close()
	return decodeJSON(body, v)
}

// decodeJSON decodes exactly one JSON value from body into v and validates
// it. It is separate from decode so that the fuzz targets and decode share
// one path.
func decodeJSON(body io.Reader, v request) error {
	data, err := io.ReadAll(body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	if err != nil {
		return errs.New(errs.InvalidJSON, "the request body could not be read")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	// Exactly one value: "{}{}" or "{} x" is not a request we understand.
	if _, err := dec.Token(); err != io.EOF {
		return errs.New(errs.InvalidJSON, "unexpected data after the JSON value")
	}
	if err := strictNames(data, v); err != nil {
		return err
	}
	return v.Validate()
}

// strictNames refuses what encoding/json lets through: a key given twice
// and a key in another case than the field's ({"to": ..., "To": ...} would
// otherwise send to the last one). It decodes data again with
// github.com/go-json-experiment/json, which matches names exactly and
// refuses duplicates, into a fresh value of v's type, and reports only
// those two refusals (every other error was the first decoder's to give).
func strictNames(data []byte, v request) error {
	fresh := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	err := jsonv2.Unmarshal(data, fresh, jsonv2.RejectUnknownMembers(true))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jsontext.ErrDuplicateName):
		return errs.New(errs.InvalidJSON, "a key appears twice in the same object")
	case errors.Is(err, jsonv2.ErrUnknownName):
		name := ""
		var se *jsonv2.SemanticError
		if errors.As(err, &se) {
			name = string(se.JSONPointer.LastToken())
		}
		if len(name) > 64 || !utf8.ValidString(name) {
			name = ""
		}
		return &errs.Error{Code: errs.InvalidJSON, Field: name, Message: "unknown field (names are case-sensitive)"}
	}
	return nil
}

func tooLarge(limit int64) error {
	return errs.New(errs.TooLarge, "the request body is larger than %d bytes", limit)
}

// decodeError turns an encoding/json error into an API error without echoing
// the input back beyond a field name.
func decodeError(err error) error {
	var (
		mbe *http.MaxBytesError
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.Is(err, io.EOF):
		return errs.New(errs.InvalidJSON, "the request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.New(errs.InvalidJSON, "the request body ends in the middle of a JSON value")
	case errors.As(err, &syn):
		return errs.New(errs.InvalidJSON, "malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return errs.New(errs.InvalidJSON, "the request body must be a JSON object")
		}
		return &errs.Error{Code: errs.Invalid, Field: field, Message: "wrong type: expected " + typ.Type.String()}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if len(name) > 64 || !utf8.ValidString(name) {
			name = "" // the name came from the caller; don't echo junk back
		}
		return &errs.Error{Code: errs.InvalidJSON, Field: name, Message: "unknown field"}
	}
	return errs.New(errs.InvalidJSON, "malformed JSON")
}
