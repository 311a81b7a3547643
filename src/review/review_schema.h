// The tables the review module owns: campaigns, review history, publication batches, notifications,
// reminders and the mail outbox. Parts of the product's numbered migrations, joined in
// app/schema.cpp. Never edit a released part: add a part with a new version (and list that version
// in app/schema.cpp).
#pragma once

#include "storage/db/migrations.h"

namespace lep::review {

const storage::MigrationParts& ReviewSchema();

}  // namespace lep::review
