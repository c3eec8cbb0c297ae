package detainees

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
)

// An XLSX workbook is a zip of XML parts (ECMA-376). A list needs only the
// cells of its first worksheet, so they are read here with archive/zip and
// encoding/xml rather than through a spreadsheet library: the shared
// strings, the first sheet named by the workbook, and each cell's value.
// Dates typed as dates in the sheet arrive as serial day numbers; those in
// the date columns are turned back into YYYY-MM-DD by the import (excelDate).

// maxXLSXPart bounds the uncompressed size of one part of a workbook, so
// that a small zip cannot expand without limit.
const maxXLSXPart = 256 << 20

type xlsxWorkbook struct {
	Sheets []struct {
		Name string `xml:"name,attr"`
		RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
	} `xml:"sheets>sheet"`
}

type xlsxRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// xlsxText is a shared string or an inline string: plain, or rich text runs.
type xlsxText struct {
	T    string `xml:"t"`
	Runs []struct {
		T string `xml:"t"`
	} `xml:"r"`
}

func (t xlsxText) String() string {
	if len(t.Runs) == 0 {
		return t.T
	}
	var b strings.Builder
	for _, r := range t.Runs {
		b.WriteString(r.T)
	}
	return b.String()
}

type xlsxSheet struct {
	Rows []struct {
		R     int `xml:"r,attr"`
		Cells []struct {
			Ref    string   `xml:"r,attr"`
			Type   string   `xml:"t,attr"`
			Value  string   `xml:"v"`
			Inline xlsxText `xml:"is"`
		} `xml:"c"`
	} `xml:"sheetData>row"`
}

// readXLSX returns the cells of the workbook's first worksheet, row by row.
func readXLSX(data []byte) ([][]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	part := func(name string, v any) error {
		f, err := zr.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		return xml.NewDecoder(io.LimitReader(f, maxXLSXPart)).Decode(v)
	}
	var wb xlsxWorkbook
	if err := part("xl/workbook.xml", &wb); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	if len(wb.Sheets) == 0 {
		return nil, errors.New("the workbook has no sheet")
	}
	var rels xlsxRels
	if err := part("xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, fmt.Errorf("workbook relationships: %w", err)
	}
	sheetPath := ""
	for _, r := range rels.Rels {
		if r.ID == wb.Sheets[0].RID {
			sheetPath = r.Target
			if strings.HasPrefix(sheetPath, "/") {
				sheetPath = strings.TrimPrefix(sheetPath, "/")
			} else {
				sheetPath = path.Join("xl", sheetPath)
			}
		}
	}
	if sheetPath == "" {
		return nil, errors.New("the first sheet has no part")
	}
	var shared []string
	var sst struct {
		Items []xlsxText `xml:"si"`
	}
	switch err := part("xl/sharedStrings.xml", &sst); {
	case err == nil:
		for _, it := range sst.Items {
			shared = append(shared, it.String())
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("shared strings: %w", err)
	}
	var sh xlsxSheet
	if err := part(sheetPath, &sh); err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	var rows [][]string
	for _, r := range sh.Rows {
		if r.R < 1 || r.R > MaxRecords+2 {
			return nil, fmt.Errorf("row number %d out of range", r.R)
		}
		for len(rows) < r.R {
			rows = append(rows, nil)
		}
		var cells []string
		for i, c := range r.Cells {
			col := i
			if c.Ref != "" {
				if col, err = columnIndex(c.Ref); err != nil {
					return nil, err
				}
			}
			if col > 1000 {
				return nil, fmt.Errorf("cell %s: too many columns", c.Ref)
			}
			for len(cells) <= col {
				cells = append(cells, "")
			}
			v := c.Value
			switch c.Type {
			case "s":
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n >= len(shared) {
					return nil, fmt.Errorf("cell %s: no shared string %q", c.Ref, v)
				}
				v = shared[n]
			case "inlineStr":
				v = c.Inline.String()
			}
			cells[col] = v
		}
		rows[r.R-1] = cells
	}
	return rows, nil
}

// columnIndex returns the zero-based column of a cell reference ("C7" → 2).
func columnIndex(ref string) (int, error) {
	n := 0
	for i, r := range ref {
		if r >= 'A' && r <= 'Z' {
			n = n*26 + int(r-'A'+1)
			if n > 1<<20 {
				break
			}
			continue
		}
		if i == 0 {
			break
		}
		return n - 1, nil
	}
	return 0, fmt.Errorf("bad cell reference %q", ref)
}

// excelDate turns a serial day number of a spreadsheet date cell (the 1900
// date system) into YYYY-MM-DD; other values are returned as they are.
func excelDate(v string) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 || f > 2958465 || strings.Contains(v, "-") {
		return v
	}
	// Day 60 is the 29 February 1900 that never was; serials count from
	// 1899-12-30 once it is skipped.
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(f)).Format(time.DateOnly)
}
