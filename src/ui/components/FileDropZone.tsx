// A drop target with a real file input inside (the keyboard and screen-reader path): dropping a file or
// choosing one calls `onFile` with the first file, or `onFiles` with all of them when `multiple`. Shared by
// the corpus, the probe-file and the task-file inputs.
import { type ReactNode, useState } from 'react';

export interface FileDropZoneProps {
  /** The file input's accessible name, shown on its button. */
  label: string;
  hint: ReactNode;
  accept: string;
  onFile?: (file: File) => void;
  /** Several files at once (the input takes several; a drop passes them all). */
  multiple?: boolean;
  onFiles?: (files: File[]) => void;
  invalid?: boolean;
  describedBy?: string;
  /** Extra controls beside the file button (e.g. "Use the demo corpus"). */
  children?: ReactNode;
}

export function FileDropZone(props: FileDropZoneProps) {
  const { label, hint, accept, onFile, multiple, onFiles, invalid, describedBy, children } = props;
  const [dragging, setDragging] = useState(false);
  const take = (files: FileList | null | undefined) => {
    const list = [...(files ?? [])];
    if (!list.length) return;
    if (multiple) onFiles?.(list);
    else onFile?.(list[0]!);
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop target; its file input is the keyboard path.
    <div
      className={`drop-zone${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        take(e.dataTransfer.files);
      }}
    >
      <p className="drop-hint">{hint}</p>
      <div className="row">
        <label className="file-button">
          {label}
          <input
            type="file"
            accept={accept}
            multiple={multiple}
            aria-invalid={invalid ? true : undefined}
            aria-describedby={describedBy}
            onChange={(e) => {
              take(e.target.files);
              e.target.value = ''; // choosing the same file again must fire again
            }}
          />
        </label>
        {children}
      </div>
    </div>
  );
}
