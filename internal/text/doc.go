// Package text holds the single negotiating text of a round: the markup the
// mediation drafts in, every saved draft, the issued revisions (Rev.1,
// Rev.2, …), each party's position per paragraph and per alternative, the
// status of each paragraph derived from those positions, the comparison of
// two revisions, the exports, and the adoption by every party's head.
//
// Every write runs through the ledger (one transaction that checks the
// rules, changes the tables, records the audience and appends an event) and
// every read of content filters by the audience in SQL through
// access.ReadableBy. docs/text.md describes the markup, the rules and the
// audiences.
package text
