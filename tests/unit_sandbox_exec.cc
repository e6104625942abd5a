// unit_sandbox_exec: runs a program under the process limits of a systemd
// unit, applied with the kernel's own mechanisms, so a test can show that
// keystored works inside deploy/keystored.service's sandbox without a
// running systemd (tests/deploy_sandbox_test.cc).
//
//   unit_sandbox_exec --syscalls=FILE [--mdwe] [--user=NAME] [--umask=OCTAL]
//                     [--nofile=N] [--memlock=BYTES] [--writable=DIR]
//                     [--families=N,N,...] -- PROGRAM [ARGS...]
//
// In order: with --writable, a private mount namespace in which every mount
// but /dev, /proc and /sys is read-only except DIR (ProtectSystem=strict with
// one ReadWritePaths=), /home and /root are empty and unreadable
// (ProtectHome=yes), /tmp and /var/tmp are fresh tmpfs (PrivateTmp=yes) and
// /proc shows only the caller's own processes and no kernel files
// (ProtectProc=invisible, ProcSubset=pid); then RLIMIT_NOFILE, RLIMIT_MEMLOCK,
// RLIMIT_CORE 0 (LimitNOFILE=, LimitMEMLOCK=, LimitCORE=0); umask (UMask=); the
// user's uid and gid with no supplementary groups (User=, so no capabilities
// either); no new privileges (NoNewPrivileges=yes); a seccomp filter of the
// native architecture that allows exactly the syscall names in FILE (one a
// line; names this architecture lacks are ignored) and fails every other with
// EPERM (SystemCallFilter=, SystemCallErrorNumber=EPERM,
// SystemCallArchitectures=native); with --mdwe, the same filter refuses with
// EPERM what systemd's MemoryDenyWriteExecute=yes refuses: mmap with
// PROT_WRITE|PROT_EXEC, mprotect/pkey_mprotect adding PROT_EXEC, shmat with
// SHM_EXEC; with --families, socket() only for those address families
// (numbers, as RestrictAddressFamilies= allows them). Then execs PROGRAM. Any
// failure before the exec is one line on stderr naming the step, and exit
// status 125.
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

int Fail(const std::string& step) {
  fprintf(stderr, "unit_sandbox_exec: %s: %s\n", step.c_str(),
          std::strerror(errno));
  return 125;
}

// Sets both limits to `value`. Raising the hard limit needs
// CAP_SYS_RESOURCE, which a container may lack: then the hard limit stays
// and, if it is lower than `value`, stderr says so (a lower limit is a
// stricter test).
bool SetLimit(int resource, rlim_t value, const char* name) {
  const rlimit limit{value, value};
  if (setrlimit(resource, &limit) == 0) return true;
  rlimit old{};
  if (errno != EPERM || getrlimit(resource, &old) != 0) return false;
  const rlimit clamped{old.rlim_max, old.rlim_max};
  if (setrlimit(resource, &clamped) != 0) return false;
  fprintf(stderr,
          "unit_sandbox_exec: %s kept at the hard limit %llu (asked %llu; no "
          "CAP_SYS_RESOURCE)\n",
          name, static_cast<unsigned long long>(old.rlim_max),
          static_cast<unsigned long long>(value));
  return old.rlim_max <= value;
}

bool Under(const std::string& path, const std::string& dir) {
  return path == dir || path.rfind(dir + "/", 0) == 0;
}

// The mount points of this mount namespace, from /proc/self/mountinfo.
std::vector<std::string> MountPoints() {
  std::vector<std::string> out;
  std::ifstream info("/proc/self/mountinfo");
  std::string line;
  while (std::getline(info, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    if (fields >> id >> parent >> dev >> root >> point) out.push_back(point);
  }
  return out;
}

// Remounts `point` read-only, keeping its nosuid/nodev/noexec flags.
bool RemountReadOnly(const std::string& point) {
  struct statvfs fs {};
  if (statvfs(point.c_str(), &fs) != 0) return false;
  unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
  if (fs.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (fs.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (fs.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  return mount(nullptr, point.c_str(), nullptr, flags, nullptr) == 0;
}

// The mount sandbox of --writable (see the header); false, with errno, on
// the step that failed, named in *step.
bool MountSandbox(const std::string& writable, std::string* step) {
  *step = "unshare the mount namespace";
  if (unshare(CLONE_NEWNS) != 0) return false;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return false;
  }
  const std::vector<std::string> points = MountPoints();
  *step = "bind " + writable;
  if (mount(writable.c_str(), writable.c_str(), nullptr, MS_BIND | MS_REC,
            nullptr) != 0) {
    return false;
  }
  for (const std::string& point : points) {
    if (Under(point, "/dev") || Under(point, "/proc") || Under(point, "/sys") ||
        Under(point, writable)) {
      continue;
    }
    // Mounts hidden under others cannot be reached, and need not be.
    *step = "remount " + point + " read-only";
    if (!RemountReadOnly(point) && point == "/") return false;
  }
  for (const char* home : {"/home", "/root"}) {
    struct stat st {};
    if (stat(home, &st) != 0) continue;
    *step = std::string("hide ") + home;
    if (mount("tmpfs", home, "tmpfs",
              MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "mode=000") != 0) {
      return false;
    }
  }
  for (const char* tmp : {"/tmp", "/var/tmp"}) {
    *step = std::string("private ") + tmp;
    if (mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0) {
      return false;
    }
  }
  *step = "mount /proc hidepid=invisible,subset=pid";
  return mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
               "hidepid=invisible,subset=pid") == 0;
}

// Adds the rules of one syscall: allowed, or with --mdwe allowed only for
// the argument values MemoryDenyWriteExecute=yes lets through.
int AddSyscall(scmp_filter_ctx ctx, const std::string& name, bool mdwe,
               const std::vector<int>& families) {
  const int nr = seccomp_syscall_resolve_name(name.c_str());
  if (nr == __NR_SCMP_ERROR) return 0;  // not a syscall of this architecture
  if (!families.empty() && name == "socket") {
    for (int family : families) {
      const int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                      SCMP_A0(SCMP_CMP_EQ, family));
      if (rc != 0) return rc;
    }
    return 0;
  }
  const scmp_datum_t wx = PROT_WRITE | PROT_EXEC;
  if (mdwe && name == "mmap") {
    for (scmp_datum_t allowed :
         {scmp_datum_t{0}, scmp_datum_t{PROT_WRITE}, scmp_datum_t{PROT_EXEC}}) {
      const int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                      SCMP_A2(SCMP_CMP_MASKED_EQ, wx, allowed));
      if (rc != 0) return rc;
    }
    return 0;
  }
  if (mdwe && (name == "mprotect" || name == "pkey_mprotect")) {
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                            SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  }
  if (mdwe && name == "shmat") {
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                            SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_EXEC, 0));
  }
  return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

}  // namespace

int main(int argc, char** argv) {
  std::string syscalls, user, writable;
  long nofile = -1, memlock = -1, mask = -1;
  bool mdwe = false;
  std::vector<int> families;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&arg](const char* flag) -> const char* {
      const size_t n = std::strlen(flag);
      return arg.compare(0, n, flag) == 0 ? arg.c_str() + n : nullptr;
    };
    if (arg == "--") {
      ++i;
      break;
    } else if (arg == "--mdwe") {
      mdwe = true;
    } else if (const char* v = value("--syscalls=")) {
      syscalls = v;
    } else if (const char* v = value("--families=")) {
      std::istringstream list(v);
      std::string family;
      while (std::getline(list, family, ',')) {
        families.push_back(std::atoi(family.c_str()));
      }
    } else if (const char* v = value("--writable=")) {
      writable = v;
    } else if (const char* v = value("--user=")) {
      user = v;
    } else if (const char* v = value("--umask=")) {
      mask = std::strtol(v, nullptr, 8);
    } else if (const char* v = value("--nofile=")) {
      nofile = std::strtol(v, nullptr, 10);
    } else if (const char* v = value("--memlock=")) {
      memlock = std::strtol(v, nullptr, 10);
    } else {
      fprintf(stderr, "unit_sandbox_exec: unknown argument %s\n", argv[i]);
      return 125;
    }
  }
  if (i >= argc || syscalls.empty()) {
    fprintf(stderr, "unit_sandbox_exec: need --syscalls=FILE -- PROGRAM\n");
    return 125;
  }
  if (!writable.empty()) {
    std::string step;
    if (!MountSandbox(writable, &step)) return Fail(step);
  }
  if (nofile >= 0 && !SetLimit(RLIMIT_NOFILE, nofile, "nofile")) {
    return Fail("nofile");
  }
  if (memlock >= 0 && !SetLimit(RLIMIT_MEMLOCK, memlock, "memlock")) {
    return Fail("memlock");
  }
  if (!SetLimit(RLIMIT_CORE, 0, "core")) return Fail("core");
  if (mask >= 0) umask(static_cast<mode_t>(mask));
  if (!user.empty()) {
    const passwd* pw = getpwnam(user.c_str());
    if (pw == nullptr) return Fail("no user " + user);
    if (setgroups(0, nullptr) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
      return Fail("become " + user);
    }
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Fail("no_new_privs");

  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (ctx == nullptr) return Fail("seccomp_init");
  std::ifstream names(syscalls);
  if (!names) return Fail("cannot read " + syscalls);
  std::string name;
  int allowed = 0;
  while (std::getline(names, name)) {
    if (name.empty()) continue;
    if (const int rc = AddSyscall(ctx, name, mdwe, families); rc != 0) {
      errno = -rc;
      return Fail("seccomp rule for " + name);
    }
    ++allowed;
  }
  if (allowed == 0) {
    errno = EINVAL;
    return Fail("no syscalls in " + syscalls);
  }
  if (const int rc = seccomp_load(ctx); rc != 0) {
    errno = -rc;
    return Fail("seccomp_load");
  }
  seccomp_release(ctx);
  execvp(argv[i], argv + i);
  return Fail(std::string("exec ") + argv[i]);
}
