#include "cli/maintkeydb_usage.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"

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
    {"undelete",
     "undelete ZONE ALG KEYID\n  brings a key back from the bin, without its "
     "(R) mark; refused when\n  the signer would then refuse the zone (more "
     "than 2 active KSKs or ZSKs\n  of one algorithm: KeyTrap)"},
    {"expire",
     "expire ZONE ALG KEYID [--force]\n"
     "  retires a key at once (to the expired-keys bin) with the checks of a\n"
     "  stage 2: a key marked (R) only once its stage-2 wait has passed; an\n"
     "  active key, or the last active KSK or ZSK of its algorithm, only with\n"
     "  --force (audited)"},
    {"purge",
     "purge ZONE [--older-than DURATION]\n"
     "  empties the expired-keys bin of keys deleted at least DURATION ago\n"
     "  (90m, 12h, 30d, 2w; default and minimum: purge-min-age, 7 days);\n"
     "  purged keys are gone for good (audited)"},
    {"cds-delete",
     "cds-delete ZONE [--undo]\n"
     "  from the next signing on, ZONE publishes the RFC 8078 delete form\n"
     "  (CDS 0 0 0 00, CDNSKEY 0 3 0 AA==): a parent that follows CDS removes\n"
     "  the DS and the zone goes insecure; --undo stops it"},
    {"list",
     "list [--all] [--json] [ZONE]\n"
     "  keys with state, (R) and time since the last state change;\n"
     "  --all includes the expired-keys bin; --json prints one JSON object\n"
     "  with absolute UTC times (RFC 3339). Exit status 3: no such zone,\n"
     "  4: the zone has only expired keys (without --all)"},
    {"rollover",
     "rollover {zsk-stage1|zsk-stage2|ksk-stage1|ksk-stage2|zsk-undo|"
     "ksk-undo} ALG ZONE [--force]\n"
     "  stage 1 is refused until the key it activates has been in the DNSKEY\n"
     "  set of every zone server for propagation-delay + the DNSKEY TTL;\n"
     "  ksk-stage1 activates a published KSK if the zone has one, else\n"
     "  creates one. Stage 2 is refused until propagation-delay + the zone's\n"
     "  max TTL have passed since the zone was signed with the new keys.\n"
     "  zsk-undo and ksk-undo take stage 1 back: the (R) key active again,\n"
     "  the new one published. One rollover of a kind at a time; --force\n"
     "  overrides the waits (audited)"},
    {"parentdata",
     "parentdata {key|ds} ZONE [DIGEST]\n"
     "  the DNSKEY or DS records of the KSKs the parent should have (the\n"
     "  same KSKs CDS/CDNSKEY name: a new KSK once its DNSKEY has been served\n"
     "  for propagation-delay + the DNSKEY TTL); DIGEST (ds only) is\n"
     "  SHA-256 (default), SHA-384, or SHA-1 for legacy parents"},
    {"showkeys",
     "showkeys [ds] ZONE\n  the DNSKEY RRset; with ds, the KSKs and their DS"},
    {"import",
     "import ZONE KEYFILE-BASE [active|published]\n"
     "  imports a BIND key pair K<zone>+<alg>+<tag>.{key,private}; keystored\n"
     "  reads the files, regular files only, from its import-dir (a relative\n"
     "  KEYFILE-BASE is relative to it)"},
    {"audit",
     "audit [--json] [--limit N] [--since TIME] [ZONE]\n"
     "  the audit log, newest first, at most N rows (default 100; a line on\n"
     "  stderr says when rows were left out); TIME is RFC 3339\n"
     "  (2026-11-30T10:00:00Z), a date (2026-11-30, UTC) or an age (90m, 2h,\n"
     "  3d); refused calls of one identity, command and reason are one row\n"
     "  per audit-refusal-interval, with their count: (x1234)"},
    {"status",
     "status [ZONE]\n"
     "  per zone: each key's place in its cycle, whether a rollover is under\n"
     "  way, its next step and what that waits for (the serial at each zone\n"
     "  server, the DS at each parent agent, the time left)"},
    {"stats",
     "stats [reset]\n"
     "  keystored's signing statistics since it started (or the last reset):\n"
     "  zones signed, signatures, bytes in and out, sign time, refused calls\n"
     "  by reason, errors; in total and per identity. reset prints them and\n"
     "  sets them to zero"},
    {"rotate-master-key",
     "rotate-master-key\n"
     "  re-seals every key under a new master key in one transaction; the\n"
     "  old key stays as master.key.old (it opens only older backups) until\n"
     "  you remove it, and a next rotation waits for that"},
    {"backup",
     "backup FILE [--force]\n"
     "  writes a consistent copy of keystored's key database to FILE (mode\n"
     "  0600; an existing FILE only with --force), taken while signing and\n"
     "  rollovers go on; keys stay sealed and the master key is not in it:\n"
     "  keep master.key (its id is printed) apart from the backups. Restore\n"
     "  with keystored --restore FILE"},
    {"help", "help [COMMAND]"},
};

// Levenshtein distance, for the hint of a mistyped command.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string CommandUsage(const std::string& command) {
  for (const auto& [name, usage] : kUsage) {
    if (command == name) return std::string("usage: ") + usage + "\n";
  }
  return "";
}

std::string CommandSynopsis(const std::string& command) {
  for (const auto& [name, usage] : kUsage) {
    if (command == name) {
      const std::string text = usage;
      return text.substr(0, text.find('\n'));
    }
  }
  return "";
}

std::string AllUsage() {
  std::string out = "commands:\n";
  for (const auto& [name, usage] : kUsage) {
    out += "  " + CommandSynopsis(name) + "\n";
  }
  out +=
      "in the shell (maintkeydb -i) also:\n"
      "  history        the commands of this and earlier sessions, numbered\n"
      "  !N             runs entry N of history again\n"
      "  quit, exit     leave the shell (so does Ctrl-D); Ctrl-C cancels the "
      "line\n"
      "COMMAND help prints the usage of COMMAND\n";
  return out;
}

std::string ProgramUsage() {
  return "usage: maintkeydb [--socket PATH] COMMAND [ARGS...]\n"
         "       maintkeydb [--socket PATH] [--keep-going] -i\n"
         "       maintkeydb [--socket PATH] -c \"COMMAND ARGS...\"\n"
         "       maintkeydb --help | -h | --version\n"
         "The key manager's commands for keystored, one-shot or as a shell.\n"
         "Without a command it runs $SSH_ORIGINAL_COMMAND if set, else the "
         "shell.\n"
         "options:\n"
         "  --socket PATH  keystored's admin socket (default "
         "$KEYSTORED_SOCKET,\n"
         "                 else ./var/keystored/admin.sock)\n"
         "  -i             the shell: line editing, history kept in\n"
         "                 $XDG_STATE_HOME/maintkeydb_history or "
         "~/.maintkeydb_history\n"
         "  -c LINE        runs one command line (as a login shell does); a\n"
         "                 LINE that starts with maintkeydb is sshd running\n"
         "                 the ForceCommand: its options, then\n"
         "                 $SSH_ORIGINAL_COMMAND if set, else the shell.\n"
         "                 Never a shell: scp, sftp, rsync, program paths and\n"
         "                 newlines are refused\n"
         "  --keep-going   with commands piped into the shell, go on after a\n"
         "                 failing command (default: stop with its status)\n"
         "  -h, --help     this text\n"
         "  --version      the version\n" +
         AllUsage() +
         "exit status: 0 done, 1 refused or failed, 2 mistyped command or\n"
         "arguments, 3 list: no such zone, 4 list: the zone has only expired "
         "keys\n";
}

std::string SuggestCommand(const std::string& word) {
  std::string best;
  size_t best_distance = 3;  // at most 2 edits away
  for (const auto& [name, usage] : kUsage) {
    const std::string command = name;
    if (word.size() >= 3 && absl::StartsWith(command, word)) return command;
    const size_t distance = EditDistance(word, command);
    if (distance < best_distance) {
      best_distance = distance;
      best = command;
    }
  }
  return best;
}

}  // namespace cli
}  // namespace zonekeep
