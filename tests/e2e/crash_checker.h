// Test support: what "nothing lost" means after keystored was killed, as a
// checker over a StoreSnapshot (store_snapshot.h) and the operations the test
// launched. Used by crash_safety_e2e_test.cc.
//
// The model. Every operation the test launches is a LaunchedOp: the audit
// command keystored writes for it (e.g. "rollover zsk-stage2 ED25519
// --force"), its zone, and whether its client exited 0 (acknowledged). For
// create and import, the key tags the client printed.
//
// CheckStore returns one line per problem found (empty: the store is sound):
// 1. Integrity: `PRAGMA integrity_check` is "ok", `PRAGMA foreign_key_check`
//    prints nothing.
// 2. No duplicate key: (zone, algorithm, key tag) is unique; so is (zone,
//    key tag), as each test zone has one algorithm; and no public key is
//    stored twice (DNSKEY RDATA without its flags, across all zones).
// 3. Acknowledged changes are present: for each (command, zone), the audit
//    rows with result "ok" are at least as many as the acknowledged
//    operations, and each key tag an acknowledged create/import printed is a
//    key row of its zone.
// 4. The audit log matches the state:
//    a. no phantom: the "ok" rows of each state-changing (command, zone) are
//       at most as many as the operations launched (acknowledged or not), and
//       there is no "ok" row of a state-changing command the test never ran;
//    b. replaying the "ok" rows in id (= commit) order, with keystored's
//       rules for each command (create: new keys, active when the zone has no
//       active key of the role, else published; import: a new key in the
//       state named; delete_id/expire/delete_name: to the bin; undelete: out
//       of it, (R) cleared; zsk-stage1: listed keys but the last become
//       published (R), the last active; ksk-stage1: listed keys but the last
//       get (R), the last (known or new) is active; zsk-stage2: known tags to
//       the bin, the new tag a published ZSK; ksk-stage2: to the bin) gives
//       exactly the key rows: the same keys (so every key has a create or
//       import record and every record's key exists), each with the same
//       state, (R) mark and bin flag; and the same times: a key's
//       created_at, state_changed_at and deleted_at are the times of the
//       audit rows of the changes that made, last changed and binned it
//       (keystored writes one `now` into a change and its audit row, so equal
//       times mean one transaction). Likewise every zone row: created at its
//       first create/import row, last_signed_at, zsk_stage1_at and
//       ksk_stage1_at the times of its last zone-signed, zsk-stage1 and
//       ksk-stage1 rows. Rows whose result is not "ok" (refused or failed
//       calls) change nothing.
// 5. Complete key sets stay complete: every zone in `complete_before` (had
//    an active KSK and an active ZSK at the previous check) still has both,
//    live. The caller only puts zones there whose operations can never
//    legitimately remove the last active key of a role (see the test).
// Thread-safety: plain functions and values.
#ifndef ZONEKEEP_TESTS_E2E_CRASH_CHECKER_H_
#define ZONEKEEP_TESTS_E2E_CRASH_CHECKER_H_

#include <set>
#include <string>
#include <vector>

#include "tests/e2e/store_snapshot.h"

namespace zonekeep::testing {

struct LaunchedOp {
  std::string audit_command;  // as keystored writes it, without " (...)"
  std::string zone;           // absolute, lower case
  bool acknowledged = false;
  std::vector<int> printed_tags;  // create/import: the tags the client printed
};

// The audit command without the details keystored appends in parentheses
// ("rollover zsk-stage1 ED25519 --force (seen: ...)"); "zone-signed serial N
// max-ttl T" becomes "zone-signed".
std::string NormalizedCommand(const std::string& command);

// Zones of `snap` with a live active KSK and a live active ZSK.
std::set<std::string> CompleteZones(const StoreSnapshot& snap);

std::vector<std::string> CheckStore(
    const StoreSnapshot& snap, const std::vector<LaunchedOp>& ops,
    const std::set<std::string>& complete_before);

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_CRASH_CHECKER_H_
