#include "keystore/daemon/dns_checks.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

namespace zonekeep {
namespace keystored {
namespace {

std::vector<keystore::ServerAddress> Addresses(
    const google::protobuf::RepeatedPtrField<std::string>& list) {
  std::vector<keystore::ServerAddress> out;
  for (const std::string& text : list) {
    absl::StatusOr<keystore::ServerAddress> a =
        keystore::ParseServerAddress(text);
    if (a.ok()) out.push_back(*a);
  }
  return out;
}

}  // namespace

std::shared_ptr<const keystore::DnsObserver> MakeDnsObserver(
    const v1::KeystoredConfig& config) {
  keystore::LdnsObserverOptions options;
  for (const v1::ZoneDnsConfig& zone : config.zones()) {
    keystore::ZoneServers& servers = options.zones[zone.zone()];
    servers.parent_agents = Addresses(zone.parent_agents());
    servers.zone_servers = Addresses(zone.zone_servers());
  }
  return keystore::MakeLdnsObserver(std::move(options));
}

PendingRolloverChecker::PendingRolloverChecker(keystore::KeyManager* keys,
                                               absl::Duration interval)
    : keys_(keys), interval_(interval), thread_([this] { Run(); }) {}

PendingRolloverChecker::~PendingRolloverChecker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PendingRolloverChecker::Run() {
  const auto wait =
      std::chrono::microseconds(absl::ToInt64Microseconds(interval_));
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, wait, [this] { return stop_; })) {
    lock.unlock();
    absl::Status s = keys_->CheckPendingRollovers();
    if (!s.ok()) {
      fprintf(stderr, "keystored: checking pending rollovers: %s\n",
              std::string(s.message()).c_str());
    }
    lock.lock();
  }
}

}  // namespace keystored
}  // namespace zonekeep
