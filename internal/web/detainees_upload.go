package web

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"parley/internal/detainees"
	"parley/internal/errs"
)

// The upload of a list runs in two steps. The file is sent with its kind
// and name to .../lists/check, which reads its headers, proposes a mapping
// onto the canonical columns and shows the validation report of that
// mapping. The person changes the mapping and checks again, or imports:
// .../lists stores the list only if every row is valid, and otherwise shows
// the report again. Between the steps the file travels in the form itself
// (base64), so that nothing is stored before the import.

// maxPreview is how many records the mapping step shows.
const maxPreview = 5

type detaineesUploadPage struct {
	detaineesProcess
	Kind, Name string
	File       string // the file, base64
	Report     detainees.Report
	Columns    []string
	Preview    []detainees.Record
	More       int // problems past those listed
	Checked    bool
}

// readListForm reads the multipart form of both steps: the fields, and the
// file either uploaded ("file") or carried from the first step ("data").
func readListForm(rw http.ResponseWriter, r *http.Request) (url.Values, []byte, error) {
	r.Body = http.MaxBytesReader(rw, r.Body, 2*detainees.MaxFile+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, errs.Field("file", "the form is sent as multipart/form-data")
	}
	vals := url.Values{}
	var file []byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var b []byte
		if err == nil {
			b, err = io.ReadAll(io.LimitReader(p, 2*detainees.MaxFile))
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, nil, errs.New(errs.TooLarge, "the file is too large")
			}
			return nil, nil, errs.Field("file", "malformed form")
		}
		switch p.FormName() {
		case "file":
			if len(b) > 0 {
				file = b
			}
		case "data":
			if file == nil && len(b) > 0 {
				if file, err = base64.StdEncoding.DecodeString(string(b)); err != nil {
					return nil, nil, errs.Field("file", "malformed form")
				}
			}
		default:
			vals.Add(p.FormName(), string(b))
		}
	}
	if file == nil {
		return vals, nil, errs.Field("file", "choose a CSV or XLSX file")
	}
	return vals, file, nil
}

// mappingOf reads the mapping fields: header.N names a header of the file
// and column.N the canonical column it maps onto.
func mappingOf(vals url.Values) map[string]string {
	m := map[string]string{}
	for i := 0; ; i++ {
		h, ok := vals["header."+strconv.Itoa(i)]
		if !ok {
			return m
		}
		if c := vals.Get("column." + strconv.Itoa(i)); c != "" && len(h) == 1 {
			m[h[0]] = c
		}
	}
}

func (w *Web) detaineesListCheck(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.detaineesUpload(rw, r, v, false)
}

func (w *Web) detaineesListImport(rw http.ResponseWriter, r *http.Request, v *viewer) {
	w.detaineesUpload(rw, r, v, true)
}

// detaineesUpload checks a list file against the mapping and, when store
// is set, imports it.
func (w *Web) detaineesUpload(rw http.ResponseWriter, r *http.Request, v *viewer, store bool) {
	processID := r.PathValue("id")
	pp, err := w.detaineesProcess(r, v, processID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if !pp.Can.Submit {
		w.fail(rw, r, errs.New(errs.Forbidden, "only a party, the mediation or the neutral agency submits lists"))
		return
	}
	vals, file, err := readListForm(rw, r)
	if err != nil {
		f := &form{ID: "detainees-upload", Values: vals, Errors: map[string]string{}}
		if !f.fail(v.L, err, "file") {
			w.fail(rw, r, err)
			return
		}
		w.detaineesShowAgain(rw, r, v, processID, f)
		return
	}
	p := detaineesUploadPage{detaineesProcess: pp, Kind: vals.Get("kind"), Name: vals.Get("name"),
		File: base64.StdEncoding.EncodeToString(file), Columns: detainees.Columns, Checked: true}
	status := http.StatusOK
	if store {
		l, err := w.detainees.SubmitList(r.Context(), v.Actor(), processID,
			detainees.NewList{Kind: p.Kind, Name: p.Name, File: file, Mapping: mappingOf(vals)})
		if err == nil {
			redirect(rw, r, "/detainees/lists/"+l.ID)
			return
		}
		f := &form{ID: "detainees-upload", Values: vals, Errors: map[string]string{}}
		if _, isFile := detainees.AsFileError(err); !isFile {
			if !f.fail(v.L, err, "kind", "name") {
				w.fail(rw, r, err)
				return
			}
		}
		p.failed, status = f, http.StatusBadRequest
		if e, ok := errs.As(err); ok {
			status = errs.Status(e.Code)
		}
	}
	p.Report, err = detainees.Inspect(file, mappingOf(vals), w.now())
	if fe, ok := detainees.AsFileError(err); ok {
		// Not a readable table at all: the report is the one problem.
		p.Report.Problems, p.More = fe.Problems, fe.More
	} else if err != nil {
		w.fail(rw, r, err)
		return
	}
	if len(p.Report.Problems) > maxListedProblems {
		p.More += len(p.Report.Problems) - maxListedProblems
		p.Report.Problems = p.Report.Problems[:maxListedProblems]
	}
	p.Preview = p.Report.Records[:min(maxPreview, len(p.Report.Records))]
	w.renderPage(rw, r, status, pageDetaineesUpload, p)
}

// maxListedProblems bounds the problems the page lists.
const maxListedProblems = 200
