from study.classroom.headless import main

raise SystemExit(main())
