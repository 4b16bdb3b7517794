// A hint that a large, freshly allocated and not yet written buffer be backed by huge pages.
#pragma once

#include <cstddef>

namespace sockscope::sys {

// Asks for transparent huge pages over the 2 MiB-aligned part of [data, data + bytes). On
// these machines a first write to each 4 KiB page costs about 2 us in the kernel: a listing's
// 10 MB of socket records took 2,400 of them, where huge pages need 5. Kernels that do not
// offer them, or are set never to, ignore it.
void prefer_huge_pages(void* data, size_t bytes);

}  // namespace sockscope::sys
