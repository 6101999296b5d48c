a = "%{ for k, v in {x = [1, 2]} }${k}:%{ if v[0] > 0 }${v[1]}%{ endif }%{ endfor }"
b = {for k, v in x : k => v.a... if v != null}
c = list(object({a = optional(string)}))
d = x.*.a
e = x[*][0]
