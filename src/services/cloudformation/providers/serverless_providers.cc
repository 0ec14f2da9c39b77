#include "services/cloudformation/providers/providers.h"

namespace tidepool::cloudformation {

std::span<const ProviderEntry> ServerlessProviders() { return {}; }

}  // namespace tidepool::cloudformation
