// MaintKeyDb: the commands of maintkeydb (docs/ARCHITECTURE.md), one-shot or in
// the interactive shell, over the KeyAdmin API of keystored.
//
// Contract: Run() executes one command given as words and returns the exit
// status: 0 done, 1 refused or failed (one line on `err`, starting with
// "maintkeydb: "), 2 mistyped command or arguments (a warning and the usage).
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

#include "proto/keystore.grpc.pb.h"

namespace zonekeep {
namespace cli {

class MaintKeyDb {
 public:
  MaintKeyDb(std::string socket_path, std::ostream& out, std::ostream& err)
      : socket_path_(std::move(socket_path)), out_(out), err_(err) {}

  int Run(const std::vector<std::string>& words);

  // The shell: reads lines until EOF, "quit" or "exit"; keeps a history
  // ("history" lists it, "!N" repeats entry N). Returns the status of the last
  // command.
  int Interactive(std::istream& in, bool show_prompt);

 private:
  int Create(const std::vector<std::string>& args);
  int DeleteId(const std::vector<std::string>& args);
  int DeleteName(const std::vector<std::string>& args);
  int Undelete(const std::vector<std::string>& args);
  // delete_id and undelete: ZONE ALG KEYID.
  int KeyRefCommand(const std::string& command,
                    const std::vector<std::string>& args);
  int List(const std::vector<std::string>& args);
  int Rollover(const std::vector<std::string>& args);
  int ParentData(const std::vector<std::string>& args);
  int ShowKeys(const std::vector<std::string>& args);
  int Import(const std::vector<std::string>& args);
  int Audit(const std::vector<std::string>& args);
  int Help(const std::vector<std::string>& args);

  // Prints "maintkeydb: WHAT" and the usage of `command`; returns 2.
  int UsageError(const std::string& command, const std::string& what);
  // Prints "maintkeydb: WHAT"; returns 1.
  int Fail(const std::string& what);
  // Lazily connects; nullptr after printing why not.
  v1::KeyAdmin::Stub* Stub();
  int RpcFailed(const grpc::Status& status);

  const std::string socket_path_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<v1::KeyAdmin::Stub> stub_;
  std::vector<std::string> history_;
};

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_MAINTKEYDB_H_
