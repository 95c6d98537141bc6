package audit

import (
	"context"
	"fmt"

	"github.com/linkwell/linkwell/internal/store"
)

// Break describes the first place the chain does not hold.
type Break struct {
	Seq    int64
	Reason string
}

func (b *Break) Error() string { return fmt.Sprintf("audit entry %d: %s", b.Seq, b.Reason) }

// Verify walks the whole log in order and returns the number of entries checked, and a *Break
// naming the first entry that was edited, inserted out of line or deleted.
func Verify(ctx context.Context, db *store.DB) (int64, error) {
	var headSeq int64
	var headHash string
	var checked int64
	err := db.ReadTx(ctx, func(c store.Conn) error {
		if err := c.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
			return fmt.Errorf("audit verify: read head: %w", err)
		}
		rows, err := c.Query(ctx, `SELECT `+entryColumns+` FROM audit_log ORDER BY seq`)
		if err != nil {
			return fmt.Errorf("audit verify: read log: %w", err)
		}
		defer rows.Close()
		prev := ""
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return fmt.Errorf("audit verify: %w", err)
			}
			if brk := check(e, checked+1, prev); brk != nil {
				return brk
			}
			prev = e.Hash
			checked++
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("audit verify: %w", err)
		}
		if checked != headSeq || prev != headHash {
			return &Break{Seq: checked + 1, Reason: fmt.Sprintf("the log ends at entry %d but its head says %d: entries were deleted from the end", checked, headSeq)}
		}
		return nil
	})
	return checked, err
}

func check(e Entry, wantSeq int64, prev string) *Break {
	switch {
	case e.Seq != wantSeq:
		return &Break{Seq: wantSeq, Reason: fmt.Sprintf("missing: the next entry found is %d", e.Seq)}
	case e.PrevHash != prev:
		return &Break{Seq: e.Seq, Reason: "its link to the previous entry does not match: an entry before it was changed or removed"}
	case e.computeHash() != e.Hash:
		return &Break{Seq: e.Seq, Reason: "its contents do not match its hash: the entry was edited"}
	}
	return nil
}
