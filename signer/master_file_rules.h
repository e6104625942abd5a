// The one place where zonekeep reads master files (RFC 1035 section 5) the
// way BIND 9.18 and Knot 3.2 do rather than the way ldns 1.8.3 does. ldns
// stays the record parser (BSD licence; see docs/ARCHITECTURE.md, "Reading
// zone files"); zonekeep wraps each record it reads in two steps, each in its
// own file pair with its own contract:
//
// 1. signer/master_entry_reader.h (text -> entry): the extent of each
//    directive or record (parentheses, quotes, comments, escapes), the
//    directives, owner, TTL and class in either order, TTL bounds.
// 2. signer/master_record_rules.h (entry -> record): type checks, the RDATA
//    ldns reads wrong (IPSECKEY, alpn, AMTRELAY), RFC 3597 data validated and
//    held in canonical form, and the checks on records whichever path read
//    them (wildcard NS, RRset size).
//
// This header gathers both for the zone parser (signer/zone_parser.h).
#ifndef ZONEKEEP_SIGNER_MASTER_FILE_RULES_H_
#define ZONEKEEP_SIGNER_MASTER_FILE_RULES_H_

#include "signer/master_entry_reader.h"
#include "signer/master_record_rules.h"

#endif  // ZONEKEEP_SIGNER_MASTER_FILE_RULES_H_
