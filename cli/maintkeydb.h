// MaintKeyDb: the commands of maintkeydb (docs/ARCHITECTURE.md), one-shot or in
// the interactive shell, over the KeyAdmin API of keystored.
//
// Contract: Run() executes one command given as words and returns the exit
// status: 0 done, 1 refused or failed (one line on `err`, starting with
// "maintkeydb: "), 2 mistyped command or arguments (the reason and a one-line
// hint), 3 and 4 for `list ZONE` of an unknown zone and of a zone with only
// expired keys (maintkeydb_usage.h).
// Arguments are checked before the daemon is contacted. `X help` and
// `help X` print X's usage. Nothing printed carries private key material (the
// API has none to give).
// Thread-safety: one instance per thread.
#ifndef ZONEKEEP_CLI_MAINTKEYDB_H_
#define ZONEKEEP_CLI_MAINTKEYDB_H_

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "cli/line_reader.h"
#include "proto/keystore.grpc.pb.h"

namespace zonekeep {
namespace cli {

class MaintKeyDb {
 public:
  MaintKeyDb(std::string socket_path, std::ostream& out, std::ostream& err)
      : socket_path_(std::move(socket_path)), out_(out), err_(err) {}

  int Run(const std::vector<std::string>& words);

  // The shell: reads lines from `reader` until its end, "quit" or "exit";
  // "history" lists the reader's history, "!N" repeats entry N. When the
  // reader is not interactive (piped commands) the first failing command
  // ends the shell with its status, unless `keep_going`. Returns the status
  // of the last command.
  int Interactive(LineReader& reader, bool keep_going);

 private:
  int Create(const std::vector<std::string>& args);
  int DeleteId(const std::vector<std::string>& args);
  int DeleteName(const std::vector<std::string>& args);
  int Undelete(const std::vector<std::string>& args);
  // delete_id, expire and undelete: ZONE ALG KEYID.
  int KeyRefCommand(const std::string& command,
                    const std::vector<std::string>& args);
  int List(const std::vector<std::string>& args);
  int Rollover(const std::vector<std::string>& args);
  int ParentData(const std::vector<std::string>& args);
  int ShowKeys(const std::vector<std::string>& args);
  int Import(const std::vector<std::string>& args);
  int Audit(const std::vector<std::string>& args);
  int Status(const std::vector<std::string>& args);
  int Stats(const std::vector<std::string>& args);  // maintkeydb_stats.cc
  // maintkeydb_bin.cc: purge ZONE [--older-than DUR], cds-delete ZONE
  // [--undo].
  int Purge(const std::vector<std::string>& args);
  int CdsDelete(const std::vector<std::string>& args);
  int RotateMasterKey(const std::vector<std::string>& args);  // ditto
  int Backup(const std::vector<std::string>& args);  // maintkeydb_backup.cc
  int Help(const std::vector<std::string>& args);

  // Prints "maintkeydb: WHAT" and a one-line hint: the synopsis of
  // `command`; returns 2.
  int UsageError(const std::string& command, const std::string& what);
  // Prints "maintkeydb: unknown command "WORD"; try: maintkeydb help X";
  // returns 2.
  int UnknownCommand(const std::string& word);
  // "maintkeydb " for hints on the command line, "" inside the shell.
  std::string HelpPrefix() const;
  // Prints "maintkeydb: WHAT"; returns 1.
  int Fail(const std::string& what);
  // Lazily connects; nullptr after printing why not.
  v1::KeyAdmin::Stub* Stub();
  int RpcFailed(const grpc::Status& status);

  const std::string socket_path_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<v1::KeyAdmin::Stub> stub_;
  bool in_shell_ = false;
};

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_MAINTKEYDB_H_
