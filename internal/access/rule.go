package access

import "strconv"

// ProcessRule is the audience rule of a kind of item that belongs to a
// process (DESIGN.md's audience table), in the terms a read can decide
// from: the capacity the reader takes part in and the item's own columns.
// It serves the lists that read many items of one process (the ceasefire
// map), where a probe of the audience table per row costs a page per row.
//
// The audience table stays the truth: a kind may have a rule only when its
// writes (and the join hooks, talks.JoinHook) keep every row's audience
// equal to what the rule says, and a test compares the two sets for every
// organisation of a process and every item (ReadableByRule).
type ProcessRule struct {
	// Readers are the capacities whose organisations are in the audience
	// of every item of the kind in their process: written into it when
	// the item is written, and by the join hooks when they join later.
	Readers []OrgKind
	// Authors are the capacities whose organisations may be in the
	// audience of an item for its own sake (they wrote it, or a report
	// of theirs is in it): for them the audience table is asked.
	// Organisations of any other capacity read an item only as Readers
	// or once it is published.
	Authors []OrgKind
	// Published, when set, is the column of the item's row that is true
	// once its audience holds every organisation of its process.
	Published string
	// Reporter, when set, is the column of the item's row naming the one
	// Authors organisation in its audience, or '' when there may be
	// several. An author reads a row naming another organisation only
	// once it is published; a row naming the author, or '', is asked of
	// the audience table. The column can only narrow what the table
	// answers: a wrong value hides a row from its author, never shows one
	// to another.
	Reporter string
}

// ReadableByRule returns the SQL condition "the item whose id is in
// column idCol, of the process in column processCol, may be read by c's
// actor", with placeholders from $n on and their arguments. c is the
// actor's capacity in a process (ProcessCapacity), which the caller has
// read: the condition holds only for items of that process.
//
// It names the same items as ReadableBy, deciding without the audience
// table where the rule allows: for a reader every item of the process;
// for an organisation of the process that authors no item of the kind,
// the published ones (none when the kind has no Published column). An
// author gets ReadableBy, narrowed by the Reporter column when the kind
// has one; an actor that takes no part in the process gets ReadableBy.
func ReadableByRule(c Capacity, r ProcessRule, processCol, idCol string, n int) (cond string, args []any) {
	if !c.Participates() {
		cond, arg := ReadableBy(c.Actor, idCol, n)
		return cond, []any{arg}
	}
	inProcess := processCol + " = $" + strconv.Itoa(n)
	switch {
	case c.In(r.Readers...):
		return inProcess, []any{c.Scope}
	case c.In(r.Authors...) && r.Reporter != "" && r.Published != "":
		// Another reporter's unpublished rows are left out by the row's
		// own columns; the table is asked only for the author's own rows
		// and those of several reporters.
		probe, arg := ReadableBy(c.Actor, idCol, n+1)
		return "(" + inProcess + " AND (" + r.Published + " OR (" + r.Reporter + " IN ($" + strconv.Itoa(n+1) + ", '') AND " + probe + ")))",
			[]any{c.Scope, arg}
	case c.In(r.Authors...):
		// The table answers for published items too, so an author's
		// condition is the probe alone, the same SQL as without a rule:
		// written "published OR EXISTS", SQLite plans the probe as a
		// correlated subquery instead of its EXISTS join, for a saving
		// of at most the published tenth of the probes.
		cond, arg := ReadableBy(c.Actor, idCol, n)
		return cond, []any{arg}
	case r.Published != "":
		return "(" + inProcess + " AND " + r.Published + ")", []any{c.Scope}
	}
	return "1 = 0", nil
}
