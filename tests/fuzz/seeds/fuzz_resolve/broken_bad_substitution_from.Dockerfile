ARG X
FROM ${X:?set_X_to_an_image}
