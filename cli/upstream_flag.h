#pragma once

#include <string>

#include "config/config.h"
#include "config/result.h"
#include "router/upstream.h"

namespace scoville::cli {

// Parses one --upstream value: "URL[,class=C][,device=D][,model=M][,weight=W][,name=N]", for
// example "http://127.0.0.1:8001,class=efficient,device=jalapeno". Classes and devices are
// checked against `catalog`. Without a name the backend is called HOST:PORT.
Result<router::UpstreamSpec> parse_upstream_flag(const std::string& text,
                                                 const config::Config& catalog);

}  // namespace scoville::cli
