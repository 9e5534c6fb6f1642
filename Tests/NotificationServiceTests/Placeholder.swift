// Integration placeholder on branch `mesh`: branch `notify` declares this test target before
// committing its files. Remove when notify's tests are merged.
