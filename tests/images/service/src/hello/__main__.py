from hello import greet

greet()
