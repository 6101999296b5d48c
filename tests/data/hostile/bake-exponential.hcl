# Each variable doubles the one before: V63 would be 2^64 bytes. The reader must
# stop early with a located limit error, not run out of time or memory.
variable "V0" {
  default = "xx"
}
variable "V1" {
  default = "${V0}${V0}"
}
variable "V2" {
  default = "${V1}${V1}"
}
variable "V3" {
  default = "${V2}${V2}"
}
variable "V4" {
  default = "${V3}${V3}"
}
variable "V5" {
  default = "${V4}${V4}"
}
variable "V6" {
  default = "${V5}${V5}"
}
variable "V7" {
  default = "${V6}${V6}"
}
variable "V8" {
  default = "${V7}${V7}"
}
variable "V9" {
  default = "${V8}${V8}"
}
variable "V10" {
  default = "${V9}${V9}"
}
variable "V11" {
  default = "${V10}${V10}"
}
variable "V12" {
  default = "${V11}${V11}"
}
variable "V13" {
  default = "${V12}${V12}"
}
variable "V14" {
  default = "${V13}${V13}"
}
variable "V15" {
  default = "${V14}${V14}"
}
variable "V16" {
  default = "${V15}${V15}"
}
variable "V17" {
  default = "${V16}${V16}"
}
variable "V18" {
  default = "${V17}${V17}"
}
variable "V19" {
  default = "${V18}${V18}"
}
variable "V20" {
  default = "${V19}${V19}"
}
variable "V21" {
  default = "${V20}${V20}"
}
variable "V22" {
  default = "${V21}${V21}"
}
variable "V23" {
  default = "${V22}${V22}"
}
variable "V24" {
  default = "${V23}${V23}"
}
variable "V25" {
  default = "${V24}${V24}"
}
variable "V26" {
  default = "${V25}${V25}"
}
variable "V27" {
  default = "${V26}${V26}"
}
variable "V28" {
  default = "${V27}${V27}"
}
variable "V29" {
  default = "${V28}${V28}"
}
variable "V30" {
  default = "${V29}${V29}"
}
variable "V31" {
  default = "${V30}${V30}"
}
variable "V32" {
  default = "${V31}${V31}"
}
variable "V33" {
  default = "${V32}${V32}"
}
variable "V34" {
  default = "${V33}${V33}"
}
variable "V35" {
  default = "${V34}${V34}"
}
variable "V36" {
  default = "${V35}${V35}"
}
variable "V37" {
  default = "${V36}${V36}"
}
variable "V38" {
  default = "${V37}${V37}"
}
variable "V39" {
  default = "${V38}${V38}"
}
variable "V40" {
  default = "${V39}${V39}"
}
variable "V41" {
  default = "${V40}${V40}"
}
variable "V42" {
  default = "${V41}${V41}"
}
variable "V43" {
  default = "${V42}${V42}"
}
variable "V44" {
  default = "${V43}${V43}"
}
variable "V45" {
  default = "${V44}${V44}"
}
variable "V46" {
  default = "${V45}${V45}"
}
variable "V47" {
  default = "${V46}${V46}"
}
variable "V48" {
  default = "${V47}${V47}"
}
variable "V49" {
  default = "${V48}${V48}"
}
variable "V50" {
  default = "${V49}${V49}"
}
variable "V51" {
  default = "${V50}${V50}"
}
variable "V52" {
  default = "${V51}${V51}"
}
variable "V53" {
  default = "${V52}${V52}"
}
variable "V54" {
  default = "${V53}${V53}"
}
variable "V55" {
  default = "${V54}${V54}"
}
variable "V56" {
  default = "${V55}${V55}"
}
variable "V57" {
  default = "${V56}${V56}"
}
variable "V58" {
  default = "${V57}${V57}"
}
variable "V59" {
  default = "${V58}${V58}"
}
variable "V60" {
  default = "${V59}${V59}"
}
variable "V61" {
  default = "${V60}${V60}"
}
variable "V62" {
  default = "${V61}${V61}"
}
variable "V63" {
  default = "${V62}${V62}"
}
target "default" {
  args = {
    V = V63
  }
}
