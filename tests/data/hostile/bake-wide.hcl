# 200 variables of 512 KiB each: each is under the string limit, together they are
# over what the variables may hold: a located limit error, not 100 MiB kept.
variable "S0" {
  default = "0123456789abcdef"
}
variable "S1" {
  default = "${S0}${S0}"
}
variable "S2" {
  default = "${S1}${S1}"
}
variable "S3" {
  default = "${S2}${S2}"
}
variable "S4" {
  default = "${S3}${S3}"
}
variable "S5" {
  default = "${S4}${S4}"
}
variable "S6" {
  default = "${S5}${S5}"
}
variable "S7" {
  default = "${S6}${S6}"
}
variable "S8" {
  default = "${S7}${S7}"
}
variable "S9" {
  default = "${S8}${S8}"
}
variable "S10" {
  default = "${S9}${S9}"
}
variable "S11" {
  default = "${S10}${S10}"
}
variable "S12" {
  default = "${S11}${S11}"
}
variable "S13" {
  default = "${S12}${S12}"
}
variable "S14" {
  default = "${S13}${S13}"
}
variable "S15" {
  default = "${S14}${S14}"
}
variable "W0" {
  default = "0${S15}"
}
variable "W1" {
  default = "1${S15}"
}
variable "W2" {
  default = "2${S15}"
}
variable "W3" {
  default = "3${S15}"
}
variable "W4" {
  default = "4${S15}"
}
variable "W5" {
  default = "5${S15}"
}
variable "W6" {
  default = "6${S15}"
}
variable "W7" {
  default = "7${S15}"
}
variable "W8" {
  default = "8${S15}"
}
variable "W9" {
  default = "9${S15}"
}
variable "W10" {
  default = "10${S15}"
}
variable "W11" {
  default = "11${S15}"
}
variable "W12" {
  default = "12${S15}"
}
variable "W13" {
  default = "13${S15}"
}
variable "W14" {
  default = "14${S15}"
}
variable "W15" {
  default = "15${S15}"
}
variable "W16" {
  default = "16${S15}"
}
variable "W17" {
  default = "17${S15}"
}
variable "W18" {
  default = "18${S15}"
}
variable "W19" {
  default = "19${S15}"
}
variable "W20" {
  default = "20${S15}"
}
variable "W21" {
  default = "21${S15}"
}
variable "W22" {
  default = "22${S15}"
}
variable "W23" {
  default = "23${S15}"
}
variable "W24" {
  default = "24${S15}"
}
variable "W25" {
  default = "25${S15}"
}
variable "W26" {
  default = "26${S15}"
}
variable "W27" {
  default = "27${S15}"
}
variable "W28" {
  default = "28${S15}"
}
variable "W29" {
  default = "29${S15}"
}
variable "W30" {
  default = "30${S15}"
}
variable "W31" {
  default = "31${S15}"
}
variable "W32" {
  default = "32${S15}"
}
variable "W33" {
  default = "33${S15}"
}
variable "W34" {
  default = "34${S15}"
}
variable "W35" {
  default = "35${S15}"
}
variable "W36" {
  default = "36${S15}"
}
variable "W37" {
  default = "37${S15}"
}
variable "W38" {
  default = "38${S15}"
}
variable "W39" {
  default = "39${S15}"
}
variable "W40" {
  default = "40${S15}"
}
variable "W41" {
  default = "41${S15}"
}
variable "W42" {
  default = "42${S15}"
}
variable "W43" {
  default = "43${S15}"
}
variable "W44" {
  default = "44${S15}"
}
variable "W45" {
  default = "45${S15}"
}
variable "W46" {
  default = "46${S15}"
}
variable "W47" {
  default = "47${S15}"
}
variable "W48" {
  default = "48${S15}"
}
variable "W49" {
  default = "49${S15}"
}
variable "W50" {
  default = "50${S15}"
}
variable "W51" {
  default = "51${S15}"
}
variable "W52" {
  default = "52${S15}"
}
variable "W53" {
  default = "53${S15}"
}
variable "W54" {
  default = "54${S15}"
}
variable "W55" {
  default = "55${S15}"
}
variable "W56" {
  default = "56${S15}"
}
variable "W57" {
  default = "57${S15}"
}
variable "W58" {
  default = "58${S15}"
}
variable "W59" {
  default = "59${S15}"
}
variable "W60" {
  default = "60${S15}"
}
variable "W61" {
  default = "61${S15}"
}
variable "W62" {
  default = "62${S15}"
}
variable "W63" {
  default = "63${S15}"
}
variable "W64" {
  default = "64${S15}"
}
variable "W65" {
  default = "65${S15}"
}
variable "W66" {
  default = "66${S15}"
}
variable "W67" {
  default = "67${S15}"
}
variable "W68" {
  default = "68${S15}"
}
variable "W69" {
  default = "69${S15}"
}
variable "W70" {
  default = "70${S15}"
}
variable "W71" {
  default = "71${S15}"
}
variable "W72" {
  default = "72${S15}"
}
variable "W73" {
  default = "73${S15}"
}
variable "W74" {
  default = "74${S15}"
}
variable "W75" {
  default = "75${S15}"
}
variable "W76" {
  default = "76${S15}"
}
variable "W77" {
  default = "77${S15}"
}
variable "W78" {
  default = "78${S15}"
}
variable "W79" {
  default = "79${S15}"
}
variable "W80" {
  default = "80${S15}"
}
variable "W81" {
  default = "81${S15}"
}
variable "W82" {
  default = "82${S15}"
}
variable "W83" {
  default = "83${S15}"
}
variable "W84" {
  default = "84${S15}"
}
variable "W85" {
  default = "85${S15}"
}
variable "W86" {
  default = "86${S15}"
}
variable "W87" {
  default = "87${S15}"
}
variable "W88" {
  default = "88${S15}"
}
variable "W89" {
  default = "89${S15}"
}
variable "W90" {
  default = "90${S15}"
}
variable "W91" {
  default = "91${S15}"
}
variable "W92" {
  default = "92${S15}"
}
variable "W93" {
  default = "93${S15}"
}
variable "W94" {
  default = "94${S15}"
}
variable "W95" {
  default = "95${S15}"
}
variable "W96" {
  default = "96${S15}"
}
variable "W97" {
  default = "97${S15}"
}
variable "W98" {
  default = "98${S15}"
}
variable "W99" {
  default = "99${S15}"
}
variable "W100" {
  default = "100${S15}"
}
variable "W101" {
  default = "101${S15}"
}
variable "W102" {
  default = "102${S15}"
}
variable "W103" {
  default = "103${S15}"
}
variable "W104" {
  default = "104${S15}"
}
variable "W105" {
  default = "105${S15}"
}
variable "W106" {
  default = "106${S15}"
}
variable "W107" {
  default = "107${S15}"
}
variable "W108" {
  default = "108${S15}"
}
variable "W109" {
  default = "109${S15}"
}
variable "W110" {
  default = "110${S15}"
}
variable "W111" {
  default = "111${S15}"
}
variable "W112" {
  default = "112${S15}"
}
variable "W113" {
  default = "113${S15}"
}
variable "W114" {
  default = "114${S15}"
}
variable "W115" {
  default = "115${S15}"
}
variable "W116" {
  default = "116${S15}"
}
variable "W117" {
  default = "117${S15}"
}
variable "W118" {
  default = "118${S15}"
}
variable "W119" {
  default = "119${S15}"
}
variable "W120" {
  default = "120${S15}"
}
variable "W121" {
  default = "121${S15}"
}
variable "W122" {
  default = "122${S15}"
}
variable "W123" {
  default = "123${S15}"
}
variable "W124" {
  default = "124${S15}"
}
variable "W125" {
  default = "125${S15}"
}
variable "W126" {
  default = "126${S15}"
}
variable "W127" {
  default = "127${S15}"
}
variable "W128" {
  default = "128${S15}"
}
variable "W129" {
  default = "129${S15}"
}
variable "W130" {
  default = "130${S15}"
}
variable "W131" {
  default = "131${S15}"
}
variable "W132" {
  default = "132${S15}"
}
variable "W133" {
  default = "133${S15}"
}
variable "W134" {
  default = "134${S15}"
}
variable "W135" {
  default = "135${S15}"
}
variable "W136" {
  default = "136${S15}"
}
variable "W137" {
  default = "137${S15}"
}
variable "W138" {
  default = "138${S15}"
}
variable "W139" {
  default = "139${S15}"
}
variable "W140" {
  default = "140${S15}"
}
variable "W141" {
  default = "141${S15}"
}
variable "W142" {
  default = "142${S15}"
}
variable "W143" {
  default = "143${S15}"
}
variable "W144" {
  default = "144${S15}"
}
variable "W145" {
  default = "145${S15}"
}
variable "W146" {
  default = "146${S15}"
}
variable "W147" {
  default = "147${S15}"
}
variable "W148" {
  default = "148${S15}"
}
variable "W149" {
  default = "149${S15}"
}
variable "W150" {
  default = "150${S15}"
}
variable "W151" {
  default = "151${S15}"
}
variable "W152" {
  default = "152${S15}"
}
variable "W153" {
  default = "153${S15}"
}
variable "W154" {
  default = "154${S15}"
}
variable "W155" {
  default = "155${S15}"
}
variable "W156" {
  default = "156${S15}"
}
variable "W157" {
  default = "157${S15}"
}
variable "W158" {
  default = "158${S15}"
}
variable "W159" {
  default = "159${S15}"
}
variable "W160" {
  default = "160${S15}"
}
variable "W161" {
  default = "161${S15}"
}
variable "W162" {
  default = "162${S15}"
}
variable "W163" {
  default = "163${S15}"
}
variable "W164" {
  default = "164${S15}"
}
variable "W165" {
  default = "165${S15}"
}
variable "W166" {
  default = "166${S15}"
}
variable "W167" {
  default = "167${S15}"
}
variable "W168" {
  default = "168${S15}"
}
variable "W169" {
  default = "169${S15}"
}
variable "W170" {
  default = "170${S15}"
}
variable "W171" {
  default = "171${S15}"
}
variable "W172" {
  default = "172${S15}"
}
variable "W173" {
  default = "173${S15}"
}
variable "W174" {
  default = "174${S15}"
}
variable "W175" {
  default = "175${S15}"
}
variable "W176" {
  default = "176${S15}"
}
variable "W177" {
  default = "177${S15}"
}
variable "W178" {
  default = "178${S15}"
}
variable "W179" {
  default = "179${S15}"
}
variable "W180" {
  default = "180${S15}"
}
variable "W181" {
  default = "181${S15}"
}
variable "W182" {
  default = "182${S15}"
}
variable "W183" {
  default = "183${S15}"
}
variable "W184" {
  default = "184${S15}"
}
variable "W185" {
  default = "185${S15}"
}
variable "W186" {
  default = "186${S15}"
}
variable "W187" {
  default = "187${S15}"
}
variable "W188" {
  default = "188${S15}"
}
variable "W189" {
  default = "189${S15}"
}
variable "W190" {
  default = "190${S15}"
}
variable "W191" {
  default = "191${S15}"
}
variable "W192" {
  default = "192${S15}"
}
variable "W193" {
  default = "193${S15}"
}
variable "W194" {
  default = "194${S15}"
}
variable "W195" {
  default = "195${S15}"
}
variable "W196" {
  default = "196${S15}"
}
variable "W197" {
  default = "197${S15}"
}
variable "W198" {
  default = "198${S15}"
}
variable "W199" {
  default = "199${S15}"
}
target "default" {
  args = { W = W199 }
}
