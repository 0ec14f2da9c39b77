#include "services/cloudformation/providers/providers.h"

namespace tidepool::cloudformation {

std::span<const ProviderEntry> CoreProviders() { return {}; }

}  // namespace tidepool::cloudformation
