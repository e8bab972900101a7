package store

import (
	"context"
	"database/sql"
	"fmt"
)

// autoVacuumIncremental is PRAGMA auto_vacuum's value for INCREMENTAL.
const autoVacuumIncremental = 2

// vacuumStep is how many free pages one incremental_vacuum call gives back
// (16 MB of 4 KB pages), so no single call holds the write lock long.
const vacuumStep = 4096

// ensureAutoVacuum switches the file to auto_vacuum=INCREMENTAL, which lets
// Prune give freed pages back to the file system. The pragma cannot run in
// the migration's transaction, and once the file has its header (switching
// to WAL writes it) it only takes effect through a VACUUM. On a new file that
// VACUUM is instant; a file created by an older loginprobe is rewritten whole
// once, at the first start of this version (it needs free disk space about
// the size of the file and holds the write lock meanwhile).
func ensureAutoVacuum(ctx context.Context, db *sql.DB) error {
	var mode int
	if err := db.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&mode); err != nil {
		return fmt.Errorf("read pragma auto_vacuum: %w", err)
	}
	if mode == autoVacuumIncremental {
		return nil
	}
	if _, err := db.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
		return fmt.Errorf("set auto_vacuum: %w", err)
	}
	if _, err := db.ExecContext(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("VACUUM to switch on auto_vacuum=INCREMENTAL: %w", err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&mode); err != nil {
		return fmt.Errorf("read pragma auto_vacuum: %w", err)
	}
	if mode != autoVacuumIncremental {
		return fmt.Errorf("auto_vacuum is %d after setting it, want %d (INCREMENTAL)", mode, autoVacuumIncremental)
	}
	return nil
}

// vacuum gives the free pages back to the file system, vacuumStep at a time,
// and returns how many it gave back.
func (s *Store) vacuum(ctx context.Context) (int, error) {
	total := 0
	for {
		var free int
		if err := s.w.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
			return total, fmt.Errorf("read freelist_count: %w", err)
		}
		if free == 0 {
			return total, nil
		}
		// Query, not Exec, and read every row: the pragma frees pages as it
		// is stepped.
		rows, err := s.w.QueryContext(ctx, fmt.Sprintf("PRAGMA incremental_vacuum(%d)", min(free, vacuumStep)))
		if err != nil {
			return total, fmt.Errorf("incremental_vacuum: %w", err)
		}
		for rows.Next() {
		}
		if err := rows.Close(); err != nil {
			return total, fmt.Errorf("incremental_vacuum: %w", err)
		}
		var after int
		if err := s.w.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&after); err != nil {
			return total, fmt.Errorf("read freelist_count: %w", err)
		}
		if after >= free {
			return total, nil // nothing more it can give back (another reader pins pages)
		}
		total += free - after
	}
}
