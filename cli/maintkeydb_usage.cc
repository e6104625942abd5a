#include "cli/maintkeydb_usage.h"

#include <utility>

namespace zonekeep {
namespace cli {
namespace {

constexpr std::pair<const char*, const char*> kUsage[] = {
    {"create",
     "create {both|ksk|zsk} ALG BITS ZONE\n"
     "  both: 1 active KSK + 1 active ZSK + 1 published ZSK. BITS is used for\n"
     "  RSA (1024-4096); give - for algorithms of fixed size."},
    {"delete_id",
     "delete_id ZONE ALG KEYID [--force]\n  moves one key to the expired-keys "
     "bin (--force: also the zone's last active KSK or ZSK of its algorithm)"},
    {"delete_name",
     "delete_name ZONE [--force]\n  moves all keys of ZONE to the "
     "expired-keys bin (--force: also when that leaves ZONE unsigned)"},
    {"undelete", "undelete ZONE ALG KEYID\n  brings a key back from the bin"},
    {"list",
     "list [--all] [ZONE]\n  keys with state, (R) and time since the last "
     "state change;\n  --all includes the expired-keys bin"},
    {"rollover",
     "rollover {zsk-stage1|zsk-stage2|ksk-stage1|ksk-stage2} ALG ZONE "
     "[--force]\n"
     "  stage 2 is refused until propagation-delay + the zone's max TTL have\n"
     "  passed since the zone was signed with the new keys; --force overrides\n"
     "  (audited)"},
    {"parentdata",
     "parentdata {key|ds} ZONE [DIGEST]\n"
     "  the KSKs' DNSKEY or DS records for the parent; DIGEST (ds only) is\n"
     "  SHA-256 (default), SHA-384, or SHA-1 for legacy parents"},
    {"showkeys",
     "showkeys [ds] ZONE\n  the DNSKEY RRset; with ds, the KSKs and their DS"},
    {"import",
     "import ZONE KEYFILE-BASE [active|published]\n"
     "  imports a BIND key pair K<zone>+<alg>+<tag>.{key,private}; the files\n"
     "  are read by keystored"},
    {"audit", "audit [ZONE]\n  the audit log, newest first"},
    {"help", "help [COMMAND]"},
};

}  // namespace

std::string CommandUsage(const std::string& command) {
  for (const auto& [name, usage] : kUsage) {
    if (command == name) return std::string("usage: ") + usage + "\n";
  }
  return "";
}

std::string AllUsage() {
  std::string out = "commands:\n";
  for (const auto& [name, usage] : kUsage) {
    out += "  ";
    const std::string text = usage;
    out += text.substr(0, text.find('\n'));
    out += "\n";
  }
  out +=
      "in the shell (maintkeydb -i) also: history, !N, quit\n"
      "COMMAND help prints the usage of COMMAND\n";
  return out;
}

}  // namespace cli
}  // namespace zonekeep
