export { createDownloader, type Downloader, type DownloaderOptions, type DownloadResult } from './downloader.js';
export { DownloadError, type DownloadErrorCode } from './errors.js';
export { describeUrl } from './target-policy.js';
