TAG = "v1"
X = ["a", "b", "c"]
n = 1 + 2 * 3 - 4 / 2 % 3
s = "${TAG}-${n}"
w = "${X}"
cmp = [1 < 2, "1" == 1, X == ["a","b","c"], !false && true]
tpl = "x:%{ if TAG == "v1" }yes%{ else }no%{ endif }"
tfor = "%{ for i, v in X }${i}${v},%{ endfor }"
lst = [for i, v in X : "${i}=${v}" if v != "a"]
obj = {for k, v in {a=1, b=2} : v => k}
grp = {for v in X : "k" => v...}
sp = [{a=1},{a=2}].*.a
sp2 = [{a=[1]},{a=[2]}][*].a[0]
sp3 = {a=1}[*].a
legacy = X.1
idx = {x={y=5}}["x"].y
fn = upper(TAG)
fn2 = concat(X, ["d"])
fn3 = max([1,5,3]...)
h = <<-EOT
    hello ${TAG}
      x
    EOT
neg = -n
strip = "  ${~ "x" ~}  "
cond = n > 3 ? "big" : "small"
condu = true ? 1 : "x"
tr = try(nosuch, "fallback")
cn = can(nosuch)
bad1 = nosuch
bad2 = X.foo
bad3 = X[5]
bad4 = "${null}"
bad5 = 1 + "x"
bad6 = nofn(1)
bad7 = upper(1, 2)
bad8 = true ? {a=1} : {b=2}
bad9 = {for v in X : "k" => v}
bad10 = upper([1])
nullsp = null[*]
objk = {(TAG) = 1, TAG = 2, "q" = 3}
