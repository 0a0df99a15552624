from perfeval.cli import main

raise SystemExit(main())
