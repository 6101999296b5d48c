a = {"B" : upper("x")}
