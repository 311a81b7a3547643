// TechnicalCheck: what a submission asks about a resource's files — the 附件1 report of its
// media (A01/A02) or the stored check of its current link (A03). Owned by the review module,
// implemented by the composition root over the ingest module. An implementation reads stored
// results only and never fetches anything inside the request; for an A03 link without a
// stored check it queues one and answers kPending. Implementations are thread-safe.
#pragma once

#include <string>

#include "core/result.h"
#include "resources/resource.h"
#include "review/workflow.h"

namespace lep::review {

class TechnicalCheck {
 public:
  virtual ~TechnicalCheck() = default;
  [[nodiscard]] virtual Result<TechnicalVerdict> Verdict(const resources::Resource& r) = 0;
  // Why a failed verdict failed, when there is more to say than the generic message (an A03
  // course of uploaded lessons: which lesson fails which rule); "" otherwise.
  [[nodiscard]] virtual Result<std::string> Problem(const resources::Resource&) {
    return std::string();
  }
};

}  // namespace lep::review
