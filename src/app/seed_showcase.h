// The demo showcase of `lep seed-demo`: a few dozen published 演示 resources across the four
// content domains (videos and audio generated with the ffmpeg CLI at seed time, covers,
// series, a toc, counts, moderated 使用评价), created, checked, reviewed and published through the real services
// (ResourceService::Import, IngestService, ReviewService), and for each demo role at least one
// item waiting in its queue. Runs once, after SeedDemo; single-threaded (a CLI command).
#pragma once

#include <string>

#include "app/app_context.h"
#include "core/result.h"

namespace lep::app {

struct ShowcaseReport {
  int published = 0;
  int waiting = 0;  // submitted or returned, waiting for someone
};

// Needs the configured ffmpeg (video.ffmpeg, default /usr/bin/ffmpeg). A no-op when the demo
// uploader's unit already holds resources (seeded before, or in use). work_dir holds the
// generated files while seeding.
[[nodiscard]] Result<ShowcaseReport> SeedShowcase(AppContext& ctx, const std::string& work_dir);

}  // namespace lep::app
