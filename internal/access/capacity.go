package access

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Capacity is the one answer to "in what capacity does this actor take part
// here, and what may it do": every domain package asks it (through
// RoundCapacity or ProcessCapacity) instead of querying the participation
// table itself. It is a fact about membership, not about content: reads of
// content still go through the audience table (ReadableBy).
//
// An organisation takes part in a round in the capacity of its kind; it
// takes part in a process when it takes part in any of the process's rounds.
type Capacity struct {
	Actor Actor
	// Scope is the round or process id the capacity was read for.
	Scope string
	// Kind is the capacity the actor's organisation takes part in, empty
	// when it takes no part (and always for the operator, who belongs to
	// no organisation).
	Kind OrgKind
}

// Participates reports whether the actor's organisation takes part.
func (c Capacity) Participates() bool { return c.Kind != "" }

// In reports whether the actor's organisation takes part in one of kinds.
func (c Capacity) In(kinds ...OrgKind) bool {
	return c.Kind != "" && slices.Contains(kinds, c.Kind)
}

// Head reports whether the actor is a head of an organisation that takes
// part: the acts an organisation takes as a whole (consent to direct talks,
// adoption, sharing preferences) are theirs.
func (c Capacity) Head() bool { return c.Participates() && c.Actor.Role == Head }

// PartyHead reports whether the actor is a head of a party taking part:
// the one who answers, for the party, a proposed participant.
func (c Capacity) PartyHead() bool { return c.Head() && c.In(Party) }

// Administers reports whether the actor administers the round or process:
// a head of a host or mediation organisation that takes part in it, or the
// operator. Being a host or mediation head elsewhere gives nothing here.
func (c Capacity) Administers() bool {
	return c.Actor.System || c.Head() && c.In(Host, Mediation)
}

// Mediates reports whether the actor's organisation is the mediation here.
func (c Capacity) Mediates() bool { return c.In(Mediation) }

// RoundCapacity reads the capacity in which actor's organisation takes
// part in the round. An unknown round and a round the organisation takes no
// part in give the same empty Capacity; callers answer both as not found.
func RoundCapacity(ctx context.Context, q Querier, actor Actor, roundID string) (Capacity, error) {
	c := Capacity{Actor: actor, Scope: roundID}
	var err error
	c.Kind, err = CapacityOf(ctx, q, roundID, actor.Org)
	return c, err
}

// CapacityOf returns the capacity in which the organisation org takes part
// in the round, empty when it takes no part. It answers questions about an
// organisation other than the actor's ("is the counterpart a party of this
// round?"); an actor's own rights go through RoundCapacity.
func CapacityOf(ctx context.Context, q Querier, roundID, org string) (OrgKind, error) {
	if org == "" || roundID == "" {
		return "", nil
	}
	var kind string
	err := q.QueryRowContext(ctx, "SELECT capacity FROM participation WHERE round_id = $1 AND org_id = $2", roundID, org).Scan(&kind)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("access.CapacityOf(%s): %w", roundID, err)
	}
	return OrgKind(kind), nil
}

// ProcessCapacity reads the capacity in which actor's organisation takes
// part in the process: in any of its rounds.
func ProcessCapacity(ctx context.Context, q Querier, actor Actor, processID string) (Capacity, error) {
	c := Capacity{Actor: actor, Scope: processID}
	if actor.Org == "" {
		return c, nil
	}
	var kind string
	err := q.QueryRowContext(ctx, `SELECT p.capacity FROM participation p JOIN rounds r ON r.id = p.round_id
		WHERE r.process_id = $1 AND p.org_id = $2 ORDER BY p.capacity LIMIT 1`, processID, actor.Org).Scan(&kind)
	if err == sql.ErrNoRows {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("access.ProcessCapacity(%s): %w", processID, err)
	}
	c.Kind = OrgKind(kind)
	return c, nil
}

// RoundOrgs returns the organisations taking part in the round, limited to
// the given capacities when any are given. It serves writes computing an
// audience ("the mediation of this round"), never filtering reads.
func RoundOrgs(ctx context.Context, q Querier, roundID string, kinds ...OrgKind) (Audience, error) {
	return orgsIn(ctx, q, "SELECT p.org_id FROM participation p WHERE p.round_id = $1", roundID, kinds)
}

// ProcessOrgs returns the organisations taking part in any round of the
// process ("the process" of DESIGN.md's audience table), limited to the
// given capacities when any are given.
func ProcessOrgs(ctx context.Context, q Querier, processID string, kinds ...OrgKind) (Audience, error) {
	return orgsIn(ctx, q, "SELECT p.org_id FROM participation p JOIN rounds r ON r.id = p.round_id WHERE r.process_id = $1", processID, kinds)
}

// PeerOrgs returns the organisations that take part, in one of the given
// capacities, in some round the organisation org takes part in: "the
// mediation of the rounds this delegation is in". It serves audiences of
// an organisation's own items that belong to no round (a statement drafted
// outside a round), never filtering reads.
func PeerOrgs(ctx context.Context, q Querier, org string, kinds ...OrgKind) (Audience, error) {
	return orgsIn(ctx, q, "SELECT p.org_id FROM participation p JOIN participation mine ON mine.round_id = p.round_id WHERE mine.org_id = $1", org, kinds)
}

func orgsIn(ctx context.Context, q Querier, query, scope string, kinds []OrgKind) (Audience, error) {
	args := []any{scope}
	if len(kinds) > 0 {
		ph := make([]string, len(kinds))
		for i, k := range kinds {
			args = append(args, string(k))
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		query += " AND p.capacity IN (" + strings.Join(ph, ", ") + ")"
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("access: organisations of %s: %w", scope, err)
	}
	defer rows.Close()
	var aud Audience
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		aud = append(aud, id)
	}
	return aud.Normalize(), rows.Err()
}

// Participant is an organisation taking part in a round, as a write
// computing audiences and rights inside its transaction reads it
// (RoundMembers).
type Participant struct {
	Org      string
	Capacity OrgKind
	// Reads: the organisation reads the round itself (the audience table).
	Reads bool
}

// RoundMembers returns the organisations taking part in the round, each
// with its capacity and whether it reads the round, in one query. With
// forShare (PostgreSQL only) it takes a share lock on the round's row:
// talks takes that row for update when it changes participation or
// consent, so neither changes before the caller's write commits.
func RoundMembers(ctx context.Context, q Querier, roundID string, forShare bool) ([]Participant, error) {
	query := "SELECT p.org_id, p.capacity, " + ReadableByOrg("r.id", "p.org_id") +
		" FROM rounds r JOIN participation p ON p.round_id = r.id WHERE r.id = $1"
	if forShare {
		query += " FOR SHARE OF r"
	}
	rows, err := q.QueryContext(ctx, query, roundID)
	if err != nil {
		return nil, fmt.Errorf("access.RoundMembers(%s): %w", roundID, err)
	}
	defer rows.Close()
	var ms []Participant
	for rows.Next() {
		var m Participant
		var c string
		if err := rows.Scan(&m.Org, &c, &m.Reads); err != nil {
			return nil, err
		}
		m.Capacity = OrgKind(c)
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// TakesPart returns an SQL condition, for a query's WHERE clause, true when
// the organisation in column orgCol takes part in the round roundExpr (a
// column or a placeholder), in one of kinds when any are given. Lists that
// name a round's participants ("the parties of this round, by name") use
// it instead of reading the participation table themselves.
func TakesPart(orgCol, roundExpr string, kinds ...OrgKind) string {
	cond := "EXISTS (SELECT 1 FROM participation tp WHERE tp.round_id = " + roundExpr + " AND tp.org_id = " + orgCol
	if len(kinds) > 0 {
		ks := make([]string, len(kinds))
		for i, k := range kinds {
			if strings.Trim(string(k), "abcdefghijklmnopqrstuvwxyz") != "" || k == "" {
				panic("access.TakesPart: not a kind: " + string(k))
			}
			ks[i] = "'" + string(k) + "'"
		}
		cond += " AND tp.capacity IN (" + strings.Join(ks, ", ") + ")"
	}
	return cond + ")"
}

// Readable reports whether actor may read the item with id, by the audience
// table. It serves single-item checks inside writes ("may this actor act on
// that round?"); lists and fetches of content AND ReadableBy into their own
// query instead.
func Readable(ctx context.Context, q Querier, actor Actor, id string) (bool, error) {
	cond, arg := ReadableBy(actor, "$1", 2)
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 AS x) t WHERE "+cond, id, arg).Scan(&n)
	return n > 0, err
}
