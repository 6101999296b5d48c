# A matrix of 10^9 combinations: refused at once with a located limit error,
# not expanded.
target "bomb" {
  matrix = {
    a = range(1000)
    b = range(1000)
    c = range(1000)
  }
  name = "t-${a}-${b}-${c}"
}
