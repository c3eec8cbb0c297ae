package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"parley/internal/api"
	"parley/internal/channel"
	"parley/internal/errs"
)

// conversationSend writes a message from the compose box (a multipart form,
// for attachments) and goes back to the conversation.
func (w *Web) conversationSend(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return
	}
	roundID := r.PathValue("id")
	r.Body = http.MaxBytesReader(rw, r.Body, channel.MaxUpload)
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return
	}
	if r.MultipartForm == nil {
		if err := r.ParseForm(); err != nil {
			w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
			return
		}
	} else {
		defer r.MultipartForm.RemoveAll()
	}
	f := newForm("message", r)
	if r.MultipartForm != nil {
		f.Values = r.MultipartForm.Value
	}
	in := channel.NewMessage{Body: f.Value("body"), ReplyTo: strings.TrimSpace(f.Value("reply_to"))}
	if to := f.Value("to"); to != "" {
		in.To = []string{to}
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["attachment"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue
			}
			up, err := readUpload(fh)
			if err != nil {
				w.fail(rw, r, err)
				return
			}
			in.Attachments = append(in.Attachments, up)
		}
	}
	_, err := w.channel.Send(r.Context(), v.Actor(), roundID, in)
	if err == nil {
		redirect(rw, r, "/rounds/"+roundID+"/conversation")
		return
	}
	if !f.fail(v.L, err, "to", "body", "attachments") {
		w.fail(rw, r, err)
		return
	}
	w.conversationAgain(rw, r, v, roundID, f)
}

func readUpload(fh *multipart.FileHeader) (channel.Upload, error) {
	if fh.Size > channel.MaxAttachment {
		return channel.Upload{}, errs.New(channel.AttachmentTooLarge, "attachment too large")
	}
	fl, err := fh.Open()
	if err != nil {
		return channel.Upload{}, err
	}
	defer fl.Close()
	data, err := io.ReadAll(io.LimitReader(fl, channel.MaxAttachment+1))
	if err != nil {
		return channel.Upload{}, err
	}
	return channel.Upload{Name: fh.Filename, DeclaredType: fh.Header.Get("Content-Type"), Data: data}, nil
}

// conversationAgain shows the page again with a refused form.
func (w *Web) conversationAgain(rw http.ResponseWriter, r *http.Request, v *viewer, roundID string, f *form) {
	round, err := w.talks.Round(r.Context(), v.Actor(), roundID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p, err := w.conversationPage(r, v, round, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPage(rw, r, f.status(), pageConversation, p)
}

// channelForm begins the handler of a channel form posted without files:
// when the channel is not configured or the form does not parse, it
// answers the request itself and returns false.
func (w *Web) channelForm(rw http.ResponseWriter, r *http.Request) bool {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return false
	}
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, errs.New(errs.Invalid, "bad form"))
		return false
	}
	return true
}

// conversationRelay is the mediation's relay form.
func (w *Web) conversationRelay(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if !w.channelForm(rw, r) {
		return
	}
	id := r.PathValue("id")
	src, err := w.channel.Get(r.Context(), v.Actor(), id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f := newForm("relay-"+id, r)
	body := f.Value("body")
	if strings.TrimSpace(body) == strings.TrimSpace(src.Body) {
		body = ""
	}
	_, err = w.channel.Relay(r.Context(), v.Actor(), id, channel.RelayInput{
		To: r.PostForm["to"], Body: body, Attributed: f.Value("attributed") == "yes", HideFromOrigin: f.Value("show_origin") != "yes",
		Attachments: r.PostForm["attachment"],
	})
	if err == nil {
		redirect(rw, r, "/rounds/"+src.RoundID+"/conversation")
		return
	}
	if !f.fail(v.L, err, "to", "body", "attachments") {
		w.fail(rw, r, err)
		return
	}
	w.conversationAgain(rw, r, v, src.RoundID, f)
}

// conversationShare is a party's form sharing its own message with more
// organisations of the round.
func (w *Web) conversationShare(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if !w.channelForm(rw, r) {
		return
	}
	id := r.PathValue("id")
	m, err := w.channel.Share(r.Context(), v.Actor(), id, r.PostForm["with"])
	if err == nil {
		redirect(rw, r, "/rounds/"+m.RoundID+"/conversation#m-"+m.ID)
		return
	}
	f := newForm("share-"+id, r)
	if !f.fail(v.L, err, "with") {
		w.fail(rw, r, err)
		return
	}
	// A refusal the user can correct shows the page again; the message is
	// one the user reads (otherwise Share answered not_found, above).
	src, gerr := w.channel.Get(r.Context(), v.Actor(), id)
	if gerr != nil || errs.Code(err) == errs.Forbidden {
		w.fail(rw, r, err)
		return
	}
	w.conversationAgain(rw, r, v, src.RoundID, f)
}

// conversationEvents is the pages' live stream: each new message the
// viewer reads, as the HTML of its group's list item (event "msg-GROUP",
// which the conversation page's sse-swap appends), and for other events a
// name saying what the round page refreshes (pageEventName).
func (w *Web) conversationEvents(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return
	}
	// The forms each streamed message offers follow the viewer's capacity
	// in the round (messageTargets), not its organisation's kind.
	round, err := w.talks.Round(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	mf := messageTargets(round)
	release, err := w.auth.OpenStream(v.Token)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	defer release()
	sse := api.NewSSE(rw)
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("after")
	}
	// A message goes to the page once per stream: a relay reaches the
	// mediation as "message.relayed" and again as "message.relay_shown".
	sent := map[string]bool{}
	err = w.channel.Stream(r.Context(), v.Actor(), r.PathValue("id"), last, sse.Start, func(e channel.StreamEvent) error {
		// A share brings the message to the organisations added; the
		// author's page has it already.
		if e.Message == nil || e.Type == "message.shared" && e.Message.From.ID == v.Actor().Org || sent[e.Message.ID] {
			return sse.Send(e.Index, pageEventName(e), []byte(e.Type))
		}
		sent[e.Message.ID] = true
		html, err := w.renderMessage(w.messageView(v, *e.Message, mf))
		if err != nil {
			return err
		}
		return sse.Send(e.Index, "msg-"+groupOf(*e.Message), html)
	})
	if errors.Is(err, channel.ErrStreamBehind) {
		sse.Reset()
	}
	sse.Stop()
	if err != nil && !sse.Started() {
		w.fail(rw, r, err)
	}
}

// attachmentDownload serves an attachment to a reader of its message.
func (w *Web) attachmentDownload(rw http.ResponseWriter, r *http.Request, v *viewer) {
	if w.channel == nil {
		w.fail(rw, r, errors.New("web: the channel is not configured"))
		return
	}
	at, data, err := w.channel.OpenAttachment(r.Context(), v.Actor(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	api.ServeAttachment(rw, at, data)
}

// pageEventName names an event that is not a message for the pages: the
// round page refreshes one agenda item on "stance-ITEM", the consent
// section on "consent" and the whole agenda on "agenda"; anything else is
// "changed". The data stays the event's type.
func pageEventName(e channel.StreamEvent) string {
	switch e.Type {
	case "agenda.stance_set":
		// A stance's id is "stance:ITEM:ORG" (talks' stanceID); item ids
		// are hex, so the name needs no escaping.
		if parts := strings.Split(e.ObjectID, ":"); len(parts) == 3 && parts[0] == "stance" && parts[1] != "" {
			return "stance-" + parts[1]
		}
	case "consent.set":
		return "consent"
	case "agenda.item_added":
		return "agenda"
	}
	return "changed"
}
