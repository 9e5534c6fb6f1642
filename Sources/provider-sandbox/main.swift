print("provider-sandbox: not wired yet")
