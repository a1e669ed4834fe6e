// CPU-only math shared by the C++ ops (the host/device-shared per-row math is sampling_math.h).
#pragma once
#include <cstdint>
#include <cstring>

namespace ptsfast::cpu {

// exp(x) for x <= 0 in plain arithmetic so that loops over it vectorise (std::exp stays a scalar
// call): Cephes' expf range reduction and polynomial, relative error about 2e-7; x below -87
// (exp < 2e-38, negligible next to the max's exp(0) = 1 in a softmax sum) is clamped there.
inline __attribute__((always_inline)) float exp_nonpositive(float x) {
  x = x > -87.f ? x : -87.f;
  constexpr float magic = 12582912.f;  // 1.5 * 2^23: (t + magic) - magic rounds t to the nearest integer
  const float n = (x * 1.44269504088896341f + magic) - magic;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;  // 2^n, n in [-126, 0]
  float pow2;
  std::memcpy(&pow2, &bits, sizeof(pow2));
  return y * pow2;
}

}  // namespace ptsfast::cpu
