package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ClaimSlot claims the scheduled run of flow at location for slot: the
// primary key (flow, location, slot) lets exactly one INSERT through, in
// this process or any other sharing the file. Slots are pruned with runs.
func (s *Store) ClaimSlot(ctx context.Context, flow, location string, slot time.Time) (bool, error) {
	if flow == "" {
		return false, errors.New("claim slot: flow is empty")
	}
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO slots (flow, location, slot, claimed_at, process)
VALUES (?, ?, ?, ?, ?)`, red(flow), red(location), fmtTime(slot), fmtTime(s.now()), s.process)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim slot %s of flow %q at %q: %w", fmtTime(slot), flow, location, err)
	}
	return n == 1, nil
}
