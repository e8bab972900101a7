package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ClaimSlot claims the scheduled run of flow at location for slot: the
// primary key (flow, location, slot) lets exactly one INSERT through, across
// every replica. Slots are pruned with runs.
func (s *Store) ClaimSlot(ctx context.Context, flow, location string, slot time.Time) (bool, error) {
	if flow == "" {
		return false, errors.New("claim slot: flow is empty")
	}
	var n int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO slots (flow, location, slot, claimed_at, process)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, red(flow), red(location), ts(slot), ts(s.now()), s.process)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim slot %s of flow %q at %q: %w", slot.UTC().Format(time.RFC3339Nano), flow, location, err)
	}
	return n == 1, nil
}
