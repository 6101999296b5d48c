variable "TAG" { default = "latest" }
variable X {
  default = ["a", "b"]
}
group "default" {
  targets = ["app", "db"]
}
target "app" {
  dockerfile = "Dockerfile"
  tags = ["repo/app:${TAG}", "x:%{ if TAG == "x" }yes%{ else }no%{ endif }"]
  args = {
    A = 1 + 2 * 3
    "B" : upper("x")
    (X) = true ? 1 : 2
  }
  lst = [for i, v in X : "${i}=${v}" if v != "a"]
  obj = {for k, v in {a=1} : k => v...}
  sp = a.*.b
  sp2 = a[*].b[0]
  legacy = a.0.b
  idx = a[b].c
  fn = concat([1], x...)
  h = <<-EOT
    hello ${TAG}
      x
    EOT
  neg = -1 + !true
  s = "a\n\u00e9 $${x} %%{y}"
  strip = "  ${~ "x" ~}  "
}
